import type { Core } from '@strapi/strapi';
import { STREAK_MILESTONES, type NotificationPayload } from '../../../common/api';
import { UID } from '../../../common/constants';
import { streakNews, type StreakState } from '../../../engine/streak';
import { achievementStore } from '../stores/achievements';
import { notificationStore, type NewNotification } from '../stores/notifications';
import { pointStore } from '../stores/points';
import type { Connection } from '../stores/transaction';
import { getService } from '../utils/get-service';
import { signalNotificationsWritten } from '../utils/notification-signal';
import type { Written } from './achievements';
import type { LevelUp } from './points';
import type { BadgeRow, Catalog } from './catalog';
import { imageOf } from './read/catalog-view';

/** What members are told about, as Strapi webhook events (and, inside Strapi, eventHub events). */
export const WEBHOOK_EVENTS = {
  earned: 'achievement.earned',
  revoked: 'achievement.revoked',
  levelReached: 'level.reached',
} as const;

/** The revokeReason holders of a deleted badge are told. */
export const BADGE_DELETED = 'badge deleted';

/** One achievement a write changed: earned (or reinstated), or revoked. */
export interface Change {
  badgeId: number;
  sequence: number;
  at: Date;
  reason?: string;
  awardedBy?: string;
}

/** A member's streak as read before the evaluation and as written by it (live only). */
export interface StreakChange {
  userId: number;
  before: StreakState | null;
  after: StreakState;
}

/** The badge as a notification carries it: what a toast draws, without another request. */
const notifiedBadge = (badge: BadgeRow): NonNullable<NotificationPayload['badge']> => ({
  documentId: badge.documentId,
  slug: badge.slug,
  name: badge.name,
  description: badge.description ?? null,
  image: imageOf(badge),
  tier: badge.tier as NonNullable<NotificationPayload['badge']>['tier'],
  points: badge.points ?? 0,
  category: badge.category ? { slug: badge.category.slug, name: badge.category.name } : null,
});

/**
 * The end of the pipeline. Inside the transaction that wrote the changes, `record` writes
 * what each member is told (a notification per change, unique on its dedupeKey, so a change
 * reported twice is told once). After the commit, `changed` tells the outside world
 * (achievement.earned / achievement.revoked on Strapi's event hub, which sends the webhooks).
 * It reads the catalog and the member's name and writes only notifications, so nothing
 * downstream can call back into evaluation.
 */
const outboxService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /**
   * Writes the notifications of these changes on `conn`, the transaction that made them:
   * achievement.earned / .revoked per changed row and streak.milestone per milestone crossed or
   * freeze used, level.reached per level reached the first time, each with the member's totals
   * after the change. Nothing when `notify` is false (a silent recalculation). `catalog` is
   * read before the transaction opens: on SQLite a read inside it would wait for the one
   * connection the transaction holds. Returns the levels told now (a level told before, then
   * lost and reached again, is not told twice): the ones `leveled` sends after the commit.
   */
  async record(
    changes: Map<number, Written>,
    opts: {
      catalog: Catalog;
      notify?: boolean;
      gone?: BadgeRow;
      streaks?: StreakChange[];
      levels?: LevelUp[];
    },
    conn: Connection
  ): Promise<LevelUp[]> {
    if (opts.notify === false) return [];
    const levelKey = (l: LevelUp) => `level:${l.userId}:${l.level.number}`;
    const toldBefore = await notificationStore(strapi).existingKeys(
      (opts.levels ?? []).map(levelKey),
      conn
    );
    const levels = (opts.levels ?? []).filter((l) => !toldBefore.has(levelKey(l)));
    const news = new Map(
      (opts.streaks ?? []).map((s) => [s.userId, streakNews(s.before, s.after, STREAK_MILESTONES)])
    );
    const told = [
      ...new Set([...changes.keys(), ...news.keys(), ...levels.map((l) => l.userId)]),
    ].filter(
      (userId) =>
        (changes.get(userId)?.earned.length ?? 0) +
          (changes.get(userId)?.revoked.length ?? 0) +
          (news.get(userId)?.length ?? 0) +
          levels.filter((l) => l.userId === userId).length >
        0
    );
    if (told.length === 0) return [];
    const badges = new Map(opts.catalog.badges.map((b) => [b.id, b]));
    const held = await achievementStore(strapi).timesHeld(told, conn);
    // The points ledger's totals, with the entries this transaction appended.
    const points = await pointStore(strapi).totalsOf(told, conn);
    const rows: NewNotification[] = [];
    for (const userId of told) {
      const times = held.get(userId) ?? new Map<number, number>();
      let count = 0;
      for (const n of times.values()) count += n;
      const totals = { badges: count, points: Math.max(0, points.get(userId) ?? 0) };
      const about = (c: Change) => {
        const badge = opts.gone ?? badges.get(c.badgeId);
        return badge ? { badge: notifiedBadge(badge) } : {};
      };
      const { earned = [], revoked = [] } = changes.get(userId) ?? {};
      for (const c of earned)
        rows.push({
          userId,
          kind: 'achievement.earned',
          dedupeKey: `earned:${userId}:${c.badgeId}:${c.sequence}:${c.at.getTime()}`,
          payload: { ...about(c), sequence: c.sequence, earnedAt: c.at.toISOString(), totals },
        });
      for (const c of revoked)
        rows.push({
          userId,
          kind: 'achievement.revoked',
          dedupeKey: `revoked:${userId}:${c.badgeId}:${c.sequence}:${c.at.getTime()}`,
          payload: {
            ...about(c),
            sequence: c.sequence,
            revokedAt: c.at.toISOString(),
            reason: c.reason ?? null,
            totals,
          },
        });
      const streak = opts.streaks?.find((s) => s.userId === userId)?.after;
      for (const n of news.get(userId) ?? [])
        rows.push({
          userId,
          kind: 'streak.milestone',
          dedupeKey: `streak:${userId}:${n.key}`,
          payload: {
            streak: {
              days: streak?.current ?? 0,
              milestone: n.milestone,
              freezeUsed: n.freezeUsed,
            },
            totals,
          },
        });
      for (const l of levels.filter((x) => x.userId === userId))
        rows.push({
          userId,
          kind: 'level.reached',
          dedupeKey: levelKey(l),
          payload: { level: l.level, totals },
        });
    }
    await notificationStore(strapi).insertMany(rows, conn);
    // This process's open streams are told once the change commits (others poll).
    signalNotificationsWritten(strapi, conn);
    return levels;
  },

  /** After the commit: `level.reached` on Strapi's event hub (webhooks) per level told. */
  async leveled(levels: LevelUp[]) {
    for (const l of levels) {
      const user = await strapi.db
        .query(UID.user)
        .findOne({ where: { id: l.userId }, select: ['id', 'documentId', 'username'] });
      strapi.eventHub.emit(WEBHOOK_EVENTS.levelReached, {
        level: { ...l.level, reachedAt: l.at.toISOString() },
        points: Math.max(0, l.total),
        user: user
          ? { id: user.id, documentId: user.documentId, username: user.username }
          : { id: l.userId },
      });
    }
  },

  /** `gone`: a badge deleted already, which the catalog no longer has. */
  async send(
    event: typeof WEBHOOK_EVENTS.earned | typeof WEBHOOK_EVENTS.revoked,
    userId: number,
    changes: Change[],
    gone?: BadgeRow
  ) {
    if (changes.length === 0) return;
    const catalog = await getService(strapi, 'catalog').get();
    const user = await strapi.db
      .query(UID.user)
      .findOne({ where: { id: userId }, select: ['id', 'documentId', 'username'] });
    for (const change of changes) {
      const badge = gone ?? catalog.badges.find((b) => b.id === change.badgeId);
      strapi.eventHub.emit(event, {
        achievement: {
          sequence: change.sequence,
          ...(event === WEBHOOK_EVENTS.earned
            ? { earnedAt: change.at.toISOString(), awardedBy: change.awardedBy ?? 'system' }
            : { revokedAt: change.at.toISOString(), revokeReason: change.reason ?? null }),
          user: user
            ? { id: user.id, documentId: user.documentId, username: user.username }
            : { id: userId },
          badge: badge
            ? {
                id: badge.id,
                documentId: badge.documentId,
                slug: badge.slug,
                name: badge.name,
                tier: badge.tier,
                points: badge.points,
              }
            : { id: change.badgeId },
        },
      });
    }
  },

  /**
   * After one member's achievements changed (and the write committed): what must follow every
   * change (credentials of revoked achievements are revoked), then the webhooks unless
   * `notify` is false (a silent recalculation). `gone`: the badge was deleted.
   */
  async changed(
    userId: number,
    changes: { earned: Change[]; revoked: Change[] },
    opts: { notify?: boolean; gone?: BadgeRow } = {}
  ) {
    if (changes.revoked.length)
      await getService(strapi, 'credentials').revoked(userId, changes.revoked);
    if (opts.notify === false) return;
    await this.send(WEBHOOK_EVENTS.earned, userId, changes.earned, opts.gone);
    await this.send(WEBHOOK_EVENTS.revoked, userId, changes.revoked, opts.gone);
  },
});

export default outboxService;
