/**
 * The walk over one member's ledger: applies every event to a tally in order and decides at each
 * marker (an event being judged), so every award carries the instant its criteria were first
 * met. Returns the net change against what the member held before. Pure: the live engine and the
 * bulk recalculation read and write around it.
 */
import {
  decide,
  REVOKE_REASON,
  type BadgeDef,
  type CatalogIndex,
  type Decision,
  type Held,
} from './evaluate';
import type { StreakState } from './streak';
import { criteriaKinds, listenedEvents } from './criteria';
import { PROFILE_EVENT, type LedgerEvent, type Retractions, type Tally } from './tally';

export interface HeldBefore extends Held {
  /** Revoked by an admin: stands (never re-awarded, never revoked again) and counts for nothing. */
  byAdmin: boolean;
}

export interface WalkInput {
  /** The member's ledger, oldest first, of the types the decisions need. */
  ledger: ReadonlyArray<LedgerEvent & { id: number }>;
  /** Ledger id → the marker's key (the evidence an award cites). */
  markers: ReadonlyMap<number, string>;
  /** The streak as of each marker that is streak activity (ledger id → state). */
  streakAt: ReadonlyMap<number, StreakState>;
  /** The streak before the first marker. */
  streak: { current: number; longest: number };
  held: readonly HeldBefore[];
  /** The badges a marker of this type may change. */
  candidatesFor: (type: string) => BadgeDef[];
  /** Without markers: decide these badges once, as of `now`. */
  scope: BadgeDef[];
  now: number;
  tally: Tally;
  index: CatalogIndex;
}

export interface WalkAward {
  badgeId: number;
  sequence: number;
  earnedAt: number;
  /** The marker that earned it; null when decided without one (a recalculation). */
  source: { key: string; type: string } | null;
}

export interface WalkResult {
  awards: WalkAward[];
  revokes: Decision['revokes'];
  progress: Decision['progress'];
}

/**
 * The badges markers of these types can change (or `only` these), and every event type deciding
 * them needs from the ledger: the markers' own, what the badges and the meta badges count, the
 * profile when a badge reads it, and the retractions of all of those.
 */
export function ledgerScope(
  index: CatalogIndex,
  markerTypes: Iterable<string>,
  retractions: Retractions,
  only?: BadgeDef[]
): { scope: BadgeDef[]; types: Set<string> } {
  const types = new Set(markerTypes);
  const scope = only ?? [...new Set([...types].flatMap((t) => index.badgesFor(t)))];
  for (const badge of [...scope, ...index.metaBadges()]) {
    for (const event of listenedEvents(badge.criteria)) types.add(event);
    if (criteriaKinds(badge.criteria).has('profile')) types.add(PROFILE_EVENT);
  }
  for (const [retraction, cancelled] of Object.entries(retractions))
    if (types.has(cancelled)) types.add(retraction);
  return { scope, types };
}

const keyOf = (h: { badgeId: number; sequence: number }) => `${h.badgeId}:${h.sequence}`;

export function walkLedger(input: WalkInput): WalkResult {
  const { tally, index } = input;
  const adminRevoked = new Set(input.held.filter((h) => h.byAdmin).map(keyOf));
  const held = new Map<string, Held>(
    input.held.map((h) => [
      keyOf(h),
      h.byAdmin
        ? { badgeId: h.badgeId, sequence: h.sequence, revoked: false, manual: true }
        : { badgeId: h.badgeId, sequence: h.sequence, revoked: h.revoked, manual: h.manual },
    ])
  );
  const earnedInfo = new Map<string, { at: number; source: WalkAward['source'] }>();
  const revokeReason = new Map<string, string>();
  const progress = new Map<number, Decision['progress'][number]>();
  let streakNow = input.streak;
  // What is held only changes with an award or a revocation: the lists are rebuilt only then.
  let heldList: Held[] | null = null;
  let earned: Held[] = [];

  const decideAt = (candidates: BadgeDef[], now: number, source: WalkAward['source']) => {
    if (!heldList) {
      heldList = [...held.values()];
      earned = heldList.filter((h) => !h.revoked && !adminRevoked.has(keyOf(h)));
    }
    const decision = decide(candidates, { tally, streak: streakNow, earned, now }, heldList, index);
    if (decision.awards.length || decision.revokes.length) heldList = null;
    for (const a of decision.awards) {
      const key = keyOf(a);
      held.set(key, { badgeId: a.badgeId, sequence: a.sequence, revoked: false, manual: false });
      earnedInfo.set(key, { at: now, source });
    }
    for (const r of decision.revokes) {
      const key = keyOf(r);
      const h = held.get(key);
      if (h) h.revoked = true;
      revokeReason.set(key, r.reason);
    }
    for (const p of decision.progress) progress.set(p.badgeId, p);
  };

  // A marker older than facts already in the ledger (a late event: an import with a past
  // occurredAt, two processes recording at once) is judged again at each later fact, so the
  // outcome is the one a recalculation of the same ledger reaches (where every fact is a marker).
  const woken = new Set<BadgeDef>();
  for (const event of input.ledger) {
    tally.apply(event);
    const key = input.markers.get(event.id);
    if (key === undefined) {
      if (woken.size) {
        decideAt([...woken], event.occurredAt, { key: `ledger:${event.id}`, type: event.type });
      }
      continue;
    }
    const s = input.streakAt.get(event.id);
    if (s) streakNow = s;
    const candidates = input.candidatesFor(event.type);
    for (const badge of candidates) woken.add(badge);
    decideAt(candidates, event.occurredAt, { key, type: event.type });
  }
  if (input.markers.size === 0) decideAt(input.scope, input.now, null);

  // Net change against what the member held before the walk.
  const before = new Map(input.held.map((h) => [keyOf(h), h]));
  const awards: WalkAward[] = [];
  const revokes: Decision['revokes'] = [];
  for (const [key, h] of held) {
    if (adminRevoked.has(key)) continue;
    const was = before.get(key);
    if (!h.revoked && (!was || was.revoked)) {
      const info = earnedInfo.get(key);
      awards.push({
        badgeId: h.badgeId,
        sequence: h.sequence,
        earnedAt: info?.at ?? input.now,
        source: info?.source ?? null,
      });
    } else if (h.revoked && was && !was.revoked) {
      revokes.push({
        badgeId: h.badgeId,
        sequence: h.sequence,
        reason: revokeReason.get(key) ?? REVOKE_REASON,
      });
    }
  }
  return { awards, revokes, progress: [...progress.values()] };
}
