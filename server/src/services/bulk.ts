import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import { criteriaKinds, listenedEvents } from '../../../engine/criteria';
import { type BadgeDef, type Decision, type Held } from '../../../engine/evaluate';
import { applyActivity, emptyStreak, type StreakState } from '../../../engine/streak';
import { Tally } from '../../../engine/tally';
import { ledgerScope, walkLedger } from '../../../engine/walk';
import { heldOf, toAwardToApply, type AwardToApply } from './awards';
import { streakColumns } from './streaks';
import { bulkRows, CHUNK, chunks, insertMany, ledgerRowOf, tableOf, toJson } from '../utils/db';
import { getService } from '../utils/get-service';
import { PROFILE_EVENT } from '../config/events';
import { appEvents } from '../utils/plugin-config';

interface LedgerRow {
  id: number;
  type: string;
  userId: number;
  actorId: number | null;
  subject: string | null;
  occurredAt: number;
  data: Record<string, unknown> | null;
}

interface HeldRow extends Held {
  byAdmin: boolean;
}

/** What the walk over one member's ledger decided: the net change to write. */
export interface MemberOutcome {
  userId: number;
  awards: AwardToApply[];
  revokes: Decision['revokes'];
  progress: Decision['progress'];
  /** The replayed streak, stored when the member has none yet; null without streak activity. */
  streak: StreakState | null;
  /** What the member held before (to tell a reinstatement from a first award). */
  before: Map<string, HeldRow>;
  /** Whether a streak row exists already (then it is left alone, as streaks.ensure does). */
  hasStreak: boolean;
  /** The progress rows stored now, badge id → values. */
  storedProgress: Map<number, { current: number; target: number }>;
}

/**
 * Bulk recalculation for the backfill: evaluates many members from one ordered read of the
 * ledger and writes their net changes with a few multi-row statements, instead of one ledger
 * query, one held query, one timezone query and one insert per award for every member.
 *
 * The walk over each member's ledger is the one `engine.recalculateMember` does (every ledger
 * event is a marker, the streak is replayed from nothing in the member's timezone, awards carry
 * the instant their criteria were first met, the same `ledger:<id>` source keys), so the two
 * produce the same achievements; tests/integration/engine-bulk.test.ts compares them.
 */
const bulkService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  /** Every event type a recalculation walks as a marker (engine.recalculateMember's set). */
  const markerTypes = () => new Set(appEvents(strapi).known);

  /** The members' ledgers, each oldest first (occurredAt, then id), in one query per chunk. */
  const loadLedgers = async (userIds: number[], types: Set<string>) => {
    const t = tableOf(strapi, UID.event);
    const byUser = new Map<number, LedgerRow[]>();
    for (const id of userIds) byUser.set(id, []);
    if (types.size === 0) return byUser;
    for (const ids of chunks(userIds)) {
      const rows = await knex()(t.name)
        .select(
          'id',
          t.col('userId'),
          t.col('type'),
          t.col('actorId'),
          t.col('subject'),
          t.col('occurredAt'),
          t.col('data')
        )
        .whereBetween(t.col('userId'), [ids[0], ids[ids.length - 1]])
        .whereIn(t.col('type'), [...types])
        .orderBy([{ column: t.col('userId') }, { column: t.col('occurredAt') }, { column: 'id' }]);
      for (const r of rows as any[]) {
        const row = ledgerRowOf(t, r);
        byUser.get(row.userId)?.push(row);
      }
    }
    return byUser;
  };

  /** What each member holds (awards.held, for many members at once). */
  const loadHeld = async (userIds: number[]) => {
    const t = tableOf(strapi, UID.achievement);
    const byUser = new Map<number, HeldRow[]>();
    for (const id of userIds) byUser.set(id, []);
    for (const ids of chunks(userIds)) {
      const rows = await knex()(t.name)
        .select(
          t.col('userId'),
          t.col('badgeId'),
          t.col('sequence'),
          t.col('revokedAt'),
          t.col('awardedBy'),
          t.col('revokedBy')
        )
        .whereBetween(t.col('userId'), [ids[0], ids[ids.length - 1]]);
      for (const r of rows as any[]) byUser.get(Number(r[t.col('userId')]))?.push(heldOf(t, r));
    }
    return byUser;
  };

  /** Which members have a streak row, and their stored progress rows. */
  const loadStored = async (userIds: number[]) => {
    const st = tableOf(strapi, UID.streak);
    const pt = tableOf(strapi, UID.progress);
    const streaks = new Set<number>();
    const progress = new Map<number, Map<number, { current: number; target: number }>>();
    for (const ids of chunks(userIds)) {
      for (const r of (await knex()(st.name)
        .select(st.col('userId'))
        .whereBetween(st.col('userId'), [ids[0], ids[ids.length - 1]])) as any[])
        streaks.add(Number(r[st.col('userId')]));
      for (const r of (await knex()(pt.name)
        .select(pt.col('userId'), pt.col('badgeId'), pt.col('current'), pt.col('target'))
        .whereBetween(pt.col('userId'), [ids[0], ids[ids.length - 1]])) as any[]) {
        const userId = Number(r[pt.col('userId')]);
        if (!progress.has(userId)) progress.set(userId, new Map());
        progress.get(userId)!.set(Number(r[pt.col('badgeId')]), {
          current: Number(r[pt.col('current')]),
          target: Number(r[pt.col('target')]),
        });
      }
    }
    return { streaks, progress };
  };

  /** Writes the outcomes of a page of members; returns how many achievements changed. */
  const writeOutcomes = async (outcomes: MemberOutcome[]): Promise<number> => {
    const st = tableOf(strapi, UID.streak);
    const at = tableOf(strapi, UID.achievement);
    let changed = 0;
    await knex().transaction(async (trx: any) => {
      // Streaks: stored for members who have none yet (streaks.ensure).
      const streakRows = bulkRows(
        st,
        outcomes
          .filter((o) => o.streak && !o.hasStreak)
          .map((o) => {
            const s = o.streak!;
            return { userId: o.userId, ...streakColumns(s), version: 1 };
          })
      );
      for (const part of chunks(streakRows))
        await insertMany(strapi, trx, st.name, part, { conflict: [st.col('userId')] });

      // Awards: first awards in multi-row inserts the unique index may refuse; a reinstatement
      // (held but revoked) or a refused insert takes awards.apply's update path.
      const fresh: Array<{ userId: number; award: AwardToApply; values: Record<string, unknown> }> =
        [];
      const reinstate: Array<{ userId: number; award: AwardToApply }> = [];
      for (const o of outcomes)
        for (const award of o.awards) {
          const was = o.before.get(`${award.badgeId}:${award.sequence}`);
          if (was) {
            reinstate.push({ userId: o.userId, award });
            continue;
          }
          fresh.push({
            userId: o.userId,
            award,
            values: {
              userId: o.userId,
              badgeId: award.badgeId,
              sequence: award.sequence,
              earnedAt: award.earnedAt,
              sourceEvent: award.sourceEvent ?? null,
              evidence: toJson(award.evidence ?? null),
              revokedAt: null,
              revokeReason: null,
              awardedBy: award.awardedBy ?? 'system',
            },
          });
        }
      const freshRows = bulkRows(
        at,
        fresh.map((f) => f.values)
      );
      const docId = at.col('documentId');
      for (let i = 0; i < fresh.length; i += CHUNK) {
        const part = fresh.slice(i, i + CHUNK);
        const rows = freshRows.slice(i, i + CHUNK);
        const { count, returned } = await insertMany(strapi, trx, at.name, rows, {
          conflict: [at.col('userId'), at.col('badgeId'), at.col('sequence')],
          returning: docId,
        });
        let inserted: Set<string>;
        if (returned) inserted = new Set(returned as string[]);
        else if (count === rows.length) inserted = new Set(rows.map((r) => r[docId] as string));
        else {
          // MySQL/MariaDB: some were refused, find which of ours are there.
          const mine = await trx(at.name)
            .select(docId)
            .whereIn(
              docId,
              rows.map((r) => r[docId] as string)
            );
          inserted = new Set(mine.map((r: any) => r[docId] as string));
        }
        part.forEach((f, j) => {
          if (inserted.has(rows[j][docId] as string)) changed += 1;
          else reinstate.push({ userId: f.userId, award: f.award });
        });
      }
      const awards = getService(strapi, 'awards');
      for (const { userId, award } of reinstate)
        if (await awards.reinstateOne(userId, award, trx)) changed += 1;
      const now = new Date();
      for (const o of outcomes)
        for (const r of o.revokes)
          await awards.revokeOne(o.userId, r.badgeId, r.sequence, r.reason, 'system', now, trx);

      // Progress: awards.saveProgressMany. Rows already holding these values are left alone (a
      // rerun rewrites nothing).
      await awards.saveProgressMany(
        outcomes.flatMap((o) =>
          o.progress
            .filter((p) => {
              const stored = o.storedProgress.get(p.badgeId);
              return !stored || stored.current !== p.current || stored.target !== p.target;
            })
            .map((p) => ({ userId: o.userId, ...p }))
        ),
        trx
      );
    });
    return changed;
  };

  return {
    /**
     * The walk of engine.recalculateMember over an already loaded ledger (oldest first), without
     * I/O: every event of a known type is a marker, the streak is replayed from nothing, and the
     * result is the net change against what the member held. null when the member has no marker
     * (the engine's no-marker path applies then).
     */
    evaluateLedger(input: {
      userId: number;
      events: LedgerRow[];
      held: HeldRow[];
      timezone: string;
      catalog: { defs: BadgeDef[]; index: import('../../../engine/evaluate').CatalogIndex };
      markerTypes: Set<string>;
      retractions: Record<string, string>;
      streakEvents: Set<string>;
      freezesPerMonth: number;
      only?: BadgeDef[];
    }): MemberOutcome | null {
      const { userId, catalog, timezone, retractions } = input;
      const markers = input.events.filter((e) => input.markerTypes.has(e.type));
      if (markers.length === 0) return null;

      // Streak as of each marker, replayed from nothing.
      const streakAt = new Map<number, StreakState>();
      let replayed = emptyStreak(timezone);
      let activity = 0;
      for (const e of markers) {
        if (!input.streakEvents.has(e.type)) continue;
        activity += 1;
        replayed = applyActivity(
          replayed,
          { at: e.occurredAt, timezone },
          { freezesPerMonth: input.freezesPerMonth }
        ).state;
        streakAt.set(e.id, replayed);
      }
      const only = input.only ? new Set(input.only.map((b) => b.id)) : null;
      const { scope, types } = ledgerScope(
        catalog.index,
        markers.map((e) => e.type),
        retractions,
        input.only
      );
      const { awards, revokes, progress } = walkLedger({
        ledger: input.events.filter((e) => types.has(e.type)),
        markers: new Map(markers.map((e) => [e.id, `ledger:${e.id}`])),
        streakAt,
        streak: { current: 0, longest: 0 },
        held: input.held,
        candidatesFor: (type) =>
          only
            ? catalog.index.badgesFor(type).filter((b) => only.has(b.id))
            : catalog.index.badgesFor(type),
        scope,
        now: Date.now(),
        tally: new Tally({ retractions, timezone }),
        index: catalog.index,
      });
      const before = new Map(input.held.map((h) => [`${h.badgeId}:${h.sequence}`, h]));
      return {
        userId,
        awards: awards.map(toAwardToApply),
        revokes,
        progress,
        streak: activity ? replayed : null,
        before,
        hasStreak: false,
        storedProgress: new Map(),
      };
    },

    /**
     * Recalculates these members as engine.recalculateMember would, from one
     * ordered ledger read, and writes their changes in one short transaction. Webhooks go out
     * only when `notify` (then each member's awards go through awards.apply, which sends them).
     * Returns how many achievements were awarded or reinstated.
     */
    async recalculateMembers(
      userIds: number[],
      opts: { only?: BadgeDef[]; notify?: boolean } = {}
    ): Promise<{ earned: number }> {
      // Ascending and unique: the reads below go by id ranges (which stay on the user_id
      // indexes whatever the planner's statistics say); the backfill passes consecutive members.
      userIds = [...new Set(userIds)].sort((a, b) => a - b);
      if (userIds.length === 0) return { earned: 0 };
      const catalog = await getService(strapi, 'catalog').get();
      const options = await getService(strapi, 'settings').streakOptions();
      const retractions = appEvents(strapi).retractions;
      const markers = catalog.index.all().length ? markerTypes() : new Set<string>();
      // Everything any member's walk may read: the markers and what the badges listen to.
      const types = new Set(markers);
      if (markers.size) {
        for (const badge of catalog.defs) {
          for (const event of listenedEvents(badge.criteria)) types.add(event);
          if (criteriaKinds(badge.criteria).has('profile')) types.add(PROFILE_EVENT);
        }
        for (const [retraction, cancelled] of Object.entries(retractions))
          if (types.has(cancelled)) types.add(retraction);
      }

      const ledgers = await loadLedgers(userIds, types);
      const held = await loadHeld(userIds);
      const timezones = await getService(strapi, 'streaks').timezonesOf(userIds);
      const stored = await loadStored(userIds);
      const streakEvents = new Set(options.events);
      const outcomes: MemberOutcome[] = [];
      const leftover: number[] = [];
      for (const userId of userIds) {
        const outcome = this.evaluateLedger({
          userId,
          events: ledgers.get(userId) ?? [],
          held: held.get(userId) ?? [],
          timezone: timezones.get(userId)!,
          catalog,
          markerTypes: markers,
          retractions,
          streakEvents,
          freezesPerMonth: options.freezesPerMonth,
          only: opts.only,
        });
        if (!outcome) {
          leftover.push(userId);
          continue;
        }
        outcome.hasStreak = stored.streaks.has(userId);
        outcome.storedProgress = stored.progress.get(userId) ?? new Map();
        outcomes.push(outcome);
      }
      let earned = 0;
      if (opts.notify) {
        await writeOutcomes(outcomes.map((o) => ({ ...o, awards: [], revokes: [], progress: [] })));
        const awards = getService(strapi, 'awards');
        for (const o of outcomes) {
          const result = await awards.apply(o.userId, {
            awards: o.awards,
            revokes: o.revokes,
            progress: o.progress,
            notify: true,
          });
          earned += result.earned.length;
        }
      } else {
        earned += await writeOutcomes(outcomes);
      }
      // Members without a single marker: the engine's own path (it decides once, at now).
      const engine = getService(strapi, 'engine');
      for (const userId of leftover)
        earned += (await engine.recalculateMember(userId, opts)).earned.length;
      return { earned };
    },
  };
};

export default bulkService;
