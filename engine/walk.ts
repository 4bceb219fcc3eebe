/**
 * The walk over one member's ledger: applies every event to a tally in order and decides at each
 * marker (an event being judged), so every award carries the instant its criteria were first
 * met. Returns the net change against what the member held before. Pure: the live engine and the
 * bulk recalculation read and write around it.
 */
import {
  ADMIN_EVENTS,
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
  /**
   * Write what admin.awarded / admin.revoked facts decided (a recalculation rebuilding them).
   * Live, the admin service has written those rows already, maybe changed again since: the walk
   * only takes the facts into account for the other badges.
   */
  rebuildAdminDecisions?: boolean;
}

export interface WalkAward {
  badgeId: number;
  sequence: number;
  earnedAt: number;
  /** The marker that earned it; null when decided without one (a recalculation). */
  source: { key: string; type: string } | null;
  /** An admin's award (from an admin.awarded fact): who, and the reason as evidence. */
  awardedBy?: string;
  evidence?: Record<string, unknown>;
}

export interface WalkRevoke {
  badgeId: number;
  sequence: number;
  reason: string;
  /** The instant of the fact that revoked it. */
  at: number;
  /** 'system' unless an admin.revoked fact says which admin. */
  by: string;
}

export interface WalkResult {
  awards: WalkAward[];
  revokes: WalkRevoke[];
  progress: Decision['progress'];
}

/** An admin decision's data, as admin.awarded / admin.revoked facts carry it. */
const decisionOf = (data: Record<string, unknown> | null | undefined) => {
  const badgeId = Number(data?.badgeId);
  const sequence = Number(data?.sequence);
  if (!Number.isInteger(badgeId) || !Number.isInteger(sequence)) return null;
  return {
    badgeId,
    sequence,
    by: typeof data?.by === 'string' ? data.by : 'admin',
    reason: typeof data?.reason === 'string' ? data.reason : null,
  };
};

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
  const earnedInfo = new Map<
    string,
    {
      at: number;
      source: WalkAward['source'];
      awardedBy?: string;
      evidence?: WalkAward['evidence'];
    }
  >();
  const revokeInfo = new Map<string, { reason: string; at: number; by: string }>();
  /** Revoked by an admin.revoked fact of this walk (not before it). */
  const adminRevokedHere = new Set<string>();
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
      revokeInfo.set(key, { reason: r.reason, at: now, by: 'system' });
    }
    for (const p of decision.progress) progress.set(p.badgeId, p);
  };

  /** An admin's decision changes what is held from its instant on, as it did live. */
  const applyDecision = (event: LedgerEvent) => {
    const d = decisionOf(event.data);
    if (!d) return;
    const key = keyOf(d);
    if (event.type === ADMIN_EVENTS.revoked) {
      if (adminRevoked.has(key) || !held.has(key) || held.get(key)!.revoked) return;
      adminRevoked.add(key);
      adminRevokedHere.add(key);
      // Stands from now on: never re-awarded (held as a stand-in), counted for nothing.
      held.set(key, { badgeId: d.badgeId, sequence: d.sequence, revoked: false, manual: true });
      revokeInfo.set(key, {
        reason: d.reason ?? 'revoked by an admin',
        at: event.occurredAt,
        by: d.by,
      });
    } else {
      const h = held.get(key);
      if (h && !h.revoked && !adminRevoked.has(key)) return;
      // An admin's award overrides an earlier revocation of theirs (the row is reinstated).
      adminRevoked.delete(key);
      adminRevokedHere.delete(key);
      revokeInfo.delete(key);
      held.set(key, { badgeId: d.badgeId, sequence: d.sequence, revoked: false, manual: true });
      earnedInfo.set(key, {
        at: event.occurredAt,
        source: null,
        awardedBy: d.by,
        evidence: { reason: d.reason },
      });
    }
    heldList = null;
  };

  // A marker older than facts already in the ledger (a late event: an import with a past
  // occurredAt, two processes recording at once) changes what those facts decided: each later
  // fact is judged again, for the badges it wakes, as a recalculation of the same ledger (where
  // every fact is a marker) judges it.
  let seenMarker = false;
  for (const event of input.ledger) {
    if (event.type === ADMIN_EVENTS.awarded || event.type === ADMIN_EVENTS.revoked) {
      applyDecision(event);
    }
    tally.apply(event);
    const key = input.markers.get(event.id);
    if (key === undefined) {
      if (seenMarker) {
        decideAt(input.candidatesFor(event.type), event.occurredAt, {
          key: `ledger:${event.id}`,
          type: event.type,
        });
      }
      continue;
    }
    seenMarker = true;
    const s = input.streakAt.get(event.id);
    if (s) streakNow = s;
    decideAt(input.candidatesFor(event.type), event.occurredAt, { key, type: event.type });
  }
  if (input.markers.size === 0) decideAt(input.scope, input.now, null);

  // Net change against what the member held before the walk. A row this walk both awarded and
  // revoked is written too (awarded, then revoked at its instant), as living through it did.
  const before = new Map(input.held.map((h) => [keyOf(h), h]));
  const awards: WalkAward[] = [];
  const revokes: WalkRevoke[] = [];
  const award = (h: Held, key: string) => {
    const info = earnedInfo.get(key);
    awards.push({
      badgeId: h.badgeId,
      sequence: h.sequence,
      earnedAt: info?.at ?? input.now,
      source: info?.source ?? null,
      ...(info?.awardedBy ? { awardedBy: info.awardedBy, evidence: info.evidence } : {}),
    });
  };
  const revoke = (h: Held, key: string) => {
    const info = revokeInfo.get(key);
    revokes.push({
      badgeId: h.badgeId,
      sequence: h.sequence,
      reason: info?.reason ?? REVOKE_REASON,
      at: info?.at ?? input.now,
      by: info?.by ?? 'system',
    });
  };
  const byAdminHere = (key: string) =>
    adminRevokedHere.has(key) || earnedInfo.get(key)?.awardedBy !== undefined;
  for (const [key, h] of held) {
    if (!input.rebuildAdminDecisions && byAdminHere(key)) continue;
    const was = before.get(key);
    const heldBefore = !!was && !was.revoked;
    const revokedNow = h.revoked || adminRevokedHere.has(key);
    if (adminRevoked.has(key) && !adminRevokedHere.has(key)) continue;
    if (!revokedNow && !heldBefore) award(h, key);
    else if (revokedNow && heldBefore) revoke(h, key);
    else if (revokedNow && !was && earnedInfo.has(key)) {
      award(h, key);
      revoke(h, key);
    }
  }
  return { awards, revokes, progress: [...progress.values()] };
}
