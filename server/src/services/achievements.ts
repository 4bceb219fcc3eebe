import type { Core } from '@strapi/strapi';
import type { Decision } from '../../../engine/evaluate';
import type { WalkAward, WalkRevoke } from '../../../engine/walk';
import { achievementStore, type NewAchievement, type Revocation } from '../stores/achievements';
import { progressStore } from '../stores/progress';
import type { Connection } from '../stores/transaction';
import type { Change } from './outbox';

/** An award the walk decided, as the achievement store writes it. */
export const achievementOf = (a: WalkAward): NewAchievement => ({
  badgeId: a.badgeId,
  sequence: a.sequence,
  earnedAt: new Date(a.earnedAt),
  sourceEvent: a.source?.key ?? null,
  evidence:
    a.evidence ??
    (a.source ? { event: a.source.key, type: a.source.type } : { reason: 'recalculation' }),
  ...(a.awardedBy ? { awardedBy: a.awardedBy } : {}),
});

export const revocationOf = (r: WalkRevoke): Revocation => ({
  badgeId: r.badgeId,
  sequence: r.sequence,
  reason: r.reason,
  at: new Date(r.at),
  by: r.by,
});

/** What to write for one member: the net change an evaluation (or an admin) decided. */
export interface MemberWrite {
  userId: number;
  awards: NewAchievement[];
  revokes: Revocation[];
  progress: Decision['progress'];
  /** `badgeId:sequence` of every row the member had before (revoked ones too). */
  heldBefore: ReadonlySet<string>;
  /** The stored progress, when read: rows already holding these values are not rewritten. */
  storedProgress?: ReadonlyMap<number, { current: number; target: number }>;
}

export interface Written {
  earned: Change[];
  revoked: Change[];
}

export const heldKey = (h: { badgeId: number; sequence: number }) => `${h.badgeId}:${h.sequence}`;

/**
 * Writes decisions into the achievement and progress stores. An award the member never had is
 * an insert the unique index may refuse (written before by another process: then nothing
 * changed, or it was revoked since: then it is reinstated); one they had is a reinstatement. So
 * the same decision written twice, or by two processes at once, awards once. Returns what each
 * member's rows actually changed, for the outbox, which the caller tells once its transaction
 * (if any) has committed.
 */
const achievementsService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async write(
    writes: MemberWrite[],
    conn: Connection = strapi.db.connection
  ): Promise<Map<number, Written>> {
    const achievements = achievementStore(strapi);
    const out = new Map<number, Written>(
      writes.map((w) => [w.userId, { earned: [], revoked: [] }])
    );
    const earned = (userId: number, a: NewAchievement) =>
      out.get(userId)!.earned.push({
        badgeId: a.badgeId,
        sequence: a.sequence,
        at: a.earnedAt,
        awardedBy: a.awardedBy,
      });

    const fresh = writes.flatMap((w) =>
      w.awards
        .filter((a) => !w.heldBefore.has(heldKey(a)))
        .map((achievement) => ({ userId: w.userId, achievement }))
    );
    const inserted = await achievements.insertMany(fresh, conn);
    const reinstate = writes.flatMap((w) =>
      w.awards
        .filter((a) => w.heldBefore.has(heldKey(a)))
        .map((achievement) => ({ userId: w.userId, achievement }))
    );
    fresh.forEach((f, i) => (inserted[i] ? earned(f.userId, f.achievement) : reinstate.push(f)));
    for (const { userId, achievement } of reinstate)
      if (await achievements.reinstate(userId, achievement, conn)) earned(userId, achievement);

    for (const w of writes)
      for (const r of w.revokes)
        if (await achievements.revoke(w.userId, r, conn))
          out.get(w.userId)!.revoked.push({
            badgeId: r.badgeId,
            sequence: r.sequence,
            at: r.at,
            reason: r.reason,
          });

    await progressStore(strapi).upsertMany(
      writes.flatMap((w) =>
        w.progress
          .filter((p) => {
            const stored = w.storedProgress?.get(p.badgeId);
            return !stored || stored.current !== p.current || stored.target !== p.target;
          })
          .map((p) => ({ userId: w.userId, ...p }))
      ),
      conn
    );
    return out;
  },
});

export default achievementsService;
