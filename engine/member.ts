/**
 * One member's evaluation, pure: the streak as of each fact being judged, then the walk over the
 * member's ledger (walk.ts). The same function judges a live batch of freshly recorded facts and
 * a recalculation of the whole history; only where the streak starts and which facts are judged
 * differ, as `recalculation` says.
 */
import type { BadgeDef, CatalogIndex } from './evaluate';
import { applyActivity, emptyStreak, type StreakState } from './streak';
import { Tally, type LedgerEvent, type Retractions } from './tally';
import {
  ledgerScope,
  walkLedger,
  type HeldBefore,
  type WalkAward,
  type WalkResult,
  type WalkRevoke,
} from './walk';

/** A stored streak and the version it was read at (0: the member has no row). */
export type VersionedStreak = StreakState & { version: number };

export interface MemberLedger {
  userId: number;
  /** The member's facts, oldest first (occurredAt, then id), of at least the types needed. */
  ledger: ReadonlyArray<LedgerEvent & { id: number }>;
  /**
   * The facts being judged, oldest first, each with the key an award cites. A recalculation
   * judges every fact of a known type, and passes none here (see evaluateMember).
   */
  markers: ReadonlyArray<LedgerEvent & { id: number; key: string }>;
  held: readonly HeldBefore[];
  timezone: string;
  stored: VersionedStreak | null;
}

export interface EvaluationContext {
  index: CatalogIndex;
  retractions: Retractions;
  /** The event types that count as activity for the streak. */
  streakEvents: ReadonlySet<string>;
  freezesPerMonth: number;
  /** Judge only these badges (a manual award re-evaluates the meta badges). */
  only?: BadgeDef[];
  now: number;
  /**
   * Every fact of these types is judged (keys `ledger:<id>`), the streak is replayed from
   * nothing and admins' decisions are rebuilt from their facts. Absent: live evaluation.
   */
  recalculation?: { markerTypes: ReadonlySet<string> };
}

export interface MemberOutcome extends WalkResult {
  userId: number;
  awards: WalkAward[];
  revokes: WalkRevoke[];
  /**
   * The streak to write: live, advanced from the stored row (written only if it still has
   * `version`); in a recalculation, the replayed streak (stored for a member who has none).
   * null without streak activity.
   */
  streak: { state: StreakState; version: number } | null;
}

/** The streak after each instant, from `start`. */
export function advanceStreak(
  start: StreakState,
  instants: readonly number[],
  timezone: string,
  freezesPerMonth: number
): StreakState[] {
  let state = start;
  return instants.map(
    (at) => (state = applyActivity(state, { at, timezone }, { freezesPerMonth }).state)
  );
}

/** Every event type evaluating these markers (or only these badges) reads from the ledger. */
export function typesToRead(
  ctx: Pick<EvaluationContext, 'index' | 'retractions' | 'only'>,
  markerTypes: Iterable<string>
): Set<string> {
  return ledgerScope(ctx.index, markerTypes, ctx.retractions, ctx.only).types;
}

export function evaluateMember(member: MemberLedger, ctx: EvaluationContext): MemberOutcome {
  const { index, retractions, only } = ctx;
  const markers = ctx.recalculation
    ? member.ledger
        .filter((e) => ctx.recalculation!.markerTypes.has(e.type))
        .map((e) => ({ ...e, key: `ledger:${e.id}` }))
    : member.markers;

  // The streak as of each marker that is activity, and before the first marker.
  const activity = markers.filter((e) => ctx.streakEvents.has(e.type));
  const start: VersionedStreak = ctx.recalculation
    ? { ...emptyStreak(member.timezone), version: 0 }
    : (member.stored ?? { ...emptyStreak(member.timezone), version: 0 });
  const states = advanceStreak(
    start,
    activity.map((e) => e.occurredAt),
    member.timezone,
    ctx.freezesPerMonth
  );
  const streakAt = new Map(activity.map((e, i) => [e.id, states[i]]));
  const streakBefore = ctx.recalculation
    ? { current: 0, longest: 0 }
    : (member.stored ?? { current: 0, longest: 0 });

  const onlyIds = only ? new Set(only.map((b) => b.id)) : null;
  const { scope, types } = ledgerScope(
    index,
    markers.map((e) => e.type),
    retractions,
    only
  );
  const result = walkLedger({
    ledger: member.ledger.filter((e) => types.has(e.type)),
    markers: new Map(markers.map((e) => [e.id, e.key])),
    streakAt,
    streak: { current: streakBefore.current, longest: streakBefore.longest },
    held: member.held,
    candidatesFor: (type) =>
      onlyIds ? index.badgesFor(type).filter((b) => onlyIds.has(b.id)) : index.badgesFor(type),
    scope,
    now: ctx.now,
    tally: new Tally({ retractions, timezone: member.timezone }),
    index,
    rebuildAdminDecisions: ctx.recalculation !== undefined,
  });
  return {
    userId: member.userId,
    ...result,
    streak: states.length ? { state: states[states.length - 1], version: start.version } : null,
  };
}
