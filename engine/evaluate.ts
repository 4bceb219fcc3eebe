/**
 * Decisions: given a member's facts, which badges are met, how far along each is, and which
 * achievements to award or revoke. No I/O: the adapter applies the decision.
 */
import type { BadgesCriteria, CountCriteria, Criteria } from './criteria';
import { criteriaKinds, listenedEvents } from './criteria';
import { PROFILE_EVENT, Tally } from './tally';
import type { Retractions } from './tally';

export interface BadgeDef {
  id: number;
  slug: string;
  category: string | null;
  points: number;
  criteria: Criteria;
  repeatable: boolean;
  maxRepeats: number | null;
  autoRevoke: boolean;
  enabled: boolean;
  secret?: boolean;
}

export interface MemberFacts {
  tally: Tally;
  streak: { current: number; longest: number };
  /** non-revoked achievements */
  earned: ReadonlyArray<{ badgeId: number; sequence: number }>;
  now: number;
}

export interface Progress {
  current: number;
  target: number;
  met: boolean;
}

export interface Held {
  badgeId: number;
  sequence: number;
  revoked: boolean;
  manual: boolean;
}

export interface Decision {
  awards: Array<{ badgeId: number; sequence: number }>;
  revokes: Array<{ badgeId: number; sequence: number; reason: string }>;
  progress: Array<{ badgeId: number; current: number; target: number }>;
}

/** Events that keep a learning streak alive, unless the host configures others. */
export const DEFAULT_STREAK_EVENTS: readonly string[] = [
  'lesson.completed',
  'module.completed',
  'course.completed',
];

export const REVOKE_REASON = 'criteria no longer met';
const MAX_META_ROUNDS = 10;
const NONE: BadgeDef[] = [];

const isManual = (b: BadgeDef) => b.criteria.type === 'manual';

/**
 * Lookups over the badge catalog, built once per catalog change. A disabled badge is as if absent:
 * it is never a candidate, is outside every badges scope and adds no points.
 */
export class CatalogIndex {
  private readonly list: BadgeDef[];
  private readonly ids = new Map<number, BadgeDef>();
  private readonly slugs = new Map<string, BadgeDef>();
  private readonly categories = new Map<string, BadgeDef[]>();
  private readonly byEvent = new Map<string, BadgeDef[]>();
  private readonly meta: BadgeDef[] = [];
  private readonly scopes = new WeakMap<BadgesCriteria, BadgeDef[]>();

  constructor(badges: BadgeDef[], opts: { streakEvents?: string[]; retractions?: Retractions } = {}) {
    this.list = [...badges];
    const streakEvents = opts.streakEvents ?? DEFAULT_STREAK_EVENTS;
    // A retraction changes the counts of the event it cancels, so it wakes the same badges.
    const retractedBy = new Map<string, string[]>();
    for (const [retraction, cancelled] of Object.entries(opts.retractions ?? {})) {
      retractedBy.set(cancelled, [...(retractedBy.get(cancelled) ?? []), retraction]);
    }
    const listen = (event: string, b: BadgeDef) => {
      const list = this.byEvent.get(event);
      if (!list) this.byEvent.set(event, [b]);
      else if (list[list.length - 1] !== b) list.push(b);
    };
    for (const b of this.list) {
      this.ids.set(b.id, b);
      this.slugs.set(b.slug, b);
      if (b.category !== null) {
        const inCat = this.categories.get(b.category);
        if (inCat) inCat.push(b);
        else this.categories.set(b.category, [b]);
      }
      if (!b.enabled || isManual(b)) continue;
      const kinds = criteriaKinds(b.criteria);
      for (const ev of listenedEvents(b.criteria)) {
        listen(ev, b);
        for (const r of retractedBy.get(ev) ?? []) listen(r, b);
      }
      if (kinds.has('profile')) listen(PROFILE_EVENT, b);
      if (kinds.has('streak')) for (const ev of streakEvents) listen(ev, b);
      if (kinds.has('badges') || kinds.has('points')) this.meta.push(b);
    }
  }

  byId(id: number): BadgeDef | undefined {
    return this.ids.get(id);
  }

  bySlug(slug: string): BadgeDef | undefined {
    return this.slugs.get(slug);
  }

  /** Every badge of the category, enabled or not. */
  inCategory(slug: string): BadgeDef[] {
    return this.categories.get(slug) ?? NONE;
  }

  /** Enabled, non-manual badges whose criteria can change on this event type (do not mutate). */
  badgesFor(eventType: string): BadgeDef[] {
    return this.byEvent.get(eventType) ?? NONE;
  }

  /** Enabled badges whose criteria depend on other badges (badges or points criteria). */
  metaBadges(): BadgeDef[] {
    return this.meta;
  }

  all(): BadgeDef[] {
    return this.list;
  }

  /** Enabled badges a badges criteria looks at: category and list intersect when both given. */
  scopeOf(c: BadgesCriteria): BadgeDef[] {
    let scope = this.scopes.get(c);
    if (scope) return scope;
    let pool: BadgeDef[];
    if (c.badges) {
      pool = [];
      for (const s of c.badges) {
        const b = this.slugs.get(s);
        if (b) pool.push(b);
      }
      if (c.category !== undefined) pool = pool.filter((b) => b.category === c.category);
    } else if (c.category !== undefined) {
      pool = this.inCategory(c.category);
    } else {
      pool = this.list;
    }
    scope = pool.filter((b) => b.enabled);
    this.scopes.set(c, scope);
    return scope;
  }
}

interface EarnedSummary {
  ids: Set<number>;
  sequences: Map<number, number>;
  points: number;
}

/** One evaluation pass: the earned summary is computed at most once, and only if needed. */
interface EvalContext {
  facts: MemberFacts;
  catalog: CatalogIndex;
  summary: EarnedSummary | null;
}

function summaryOf(ctx: EvalContext): EarnedSummary {
  if (ctx.summary) return ctx.summary;
  const ids = new Set<number>();
  const sequences = new Map<number, number>();
  let points = 0;
  for (const e of ctx.facts.earned) {
    const b = ctx.catalog.byId(e.badgeId);
    if (!b || !b.enabled) continue;
    ids.add(e.badgeId);
    sequences.set(e.badgeId, (sequences.get(e.badgeId) ?? 0) + 1);
    points += b.points;
  }
  ctx.summary = { ids, sequences, points };
  return ctx.summary;
}

const ratio = (p: Progress) => (p.target > 0 ? p.current / p.target : 0);

function countProgress(
  c: CountCriteria,
  facts: MemberFacts,
  self: BadgeDef | undefined
): Progress {
  const n = facts.tally.count(c, facts.now);
  const target = c.threshold;
  if (self && self.repeatable && self.criteria === c) {
    // Progress toward the next sequence, full once the last allowed sequence is reached.
    const times = repeatTimes(self, n, c);
    if (self.maxRepeats !== null && times >= self.maxRepeats) {
      return { current: target, target, met: times > 0 };
    }
    return { current: n - times * target, target, met: times > 0 };
  }
  return { current: Math.min(n, target), target, met: n >= target };
}

function repeatTimes(badge: BadgeDef, n: number, c: CountCriteria): number {
  const times = Math.floor(n / c.threshold);
  return badge.maxRepeats === null ? times : Math.max(0, Math.min(times, badge.maxRepeats));
}

function badgesProgress(c: BadgesCriteria, ctx: EvalContext, self: BadgeDef | undefined): Progress {
  const summary = summaryOf(ctx);
  const scope = ctx.catalog.scopeOf(c);
  let size = 0;
  let earned = 0;
  for (const b of scope) {
    if (self && b.id === self.id) continue;
    size++;
    if (summary.ids.has(b.id)) earned++;
  }
  const target = c.count ?? size;
  // "Every badge" of an empty scope is unreachable, not free: report 0/1.
  if (target === 0) return { current: 0, target: 1, met: false };
  return { current: Math.min(earned, target), target, met: earned >= target };
}

/** How far the member is toward one criteria. `self` is the badge being evaluated. */
export function evaluateCriteria(
  c: Criteria,
  facts: MemberFacts,
  catalog: CatalogIndex,
  self?: BadgeDef
): Progress {
  return evaluateIn(c, { facts, catalog, summary: null }, self);
}

function evaluateIn(c: Criteria, ctx: EvalContext, self: BadgeDef | undefined): Progress {
  const facts = ctx.facts;
  switch (c.type) {
    case 'count':
      return countProgress(c, facts, self);
    case 'profile': {
      let filled = 0;
      for (const f of c.fields) if (facts.tally.profile[f] === true) filled++;
      return { current: filled, target: c.fields.length, met: filled === c.fields.length };
    }
    case 'streak': {
      const met = facts.streak.longest >= c.days;
      return {
        current: met ? c.days : Math.min(Math.max(0, facts.streak.current), c.days),
        target: c.days,
        met,
      };
    }
    case 'badges':
      return badgesProgress(c, ctx, self);
    case 'points': {
      const summary = summaryOf(ctx);
      let points = summary.points;
      if (self && summary.ids.has(self.id)) {
        points -= self.points * (summary.sequences.get(self.id) ?? 0);
      }
      return {
        current: Math.min(Math.max(0, points), c.threshold),
        target: c.threshold,
        met: points >= c.threshold,
      };
    }
    case 'all': {
      let current = 0;
      let target = 0;
      let met = true;
      for (const child of c.of) {
        const p = evaluateIn(child, ctx, self);
        current += Math.min(p.current, p.target);
        target += p.target;
        met = met && p.met;
      }
      return { current, target, met };
    }
    case 'any': {
      let best: Progress | null = null;
      for (const child of c.of) {
        const p = evaluateIn(child, ctx, self);
        if (p.met) return { current: p.target, target: p.target, met: true };
        if (!best || ratio(p) > ratio(best)) best = p;
      }
      return best ? { current: best.current, target: best.target, met: false } : never();
    }
    case 'manual':
      return { current: 0, target: 1, met: false };
    default:
      return never();
  }
}

function never(): Progress {
  return { current: 0, target: 1, met: false };
}

/** How many sequences of the badge the facts support right now. */
export function timesEarnable(badge: BadgeDef, facts: MemberFacts, catalog: CatalogIndex): number {
  return earnable(badge, { facts, catalog, summary: null }).times;
}

function earnable(badge: BadgeDef, ctx: EvalContext): { times: number; progress: Progress } {
  const facts = ctx.facts;
  const progress = evaluateIn(badge.criteria, ctx, badge);
  if (!badge.enabled || isManual(badge)) return { times: 0, progress };
  const c = badge.criteria;
  if (badge.repeatable && c.type === 'count') {
    return { times: repeatTimes(badge, facts.tally.count(c, facts.now), c), progress };
  }
  return { times: progress.met ? 1 : 0, progress };
}

interface Slot {
  badgeId: number;
  sequence: number;
  /** as held before this decision (null = never held) */
  before: { revoked: boolean; manual: boolean } | null;
  revoked: boolean;
  manual: boolean;
}

/**
 * Awards and revokes for the candidates, then the meta badges they unlock, until nothing changes.
 * The result is a diff against `held`, so a sequence awarded then revoked within one decision
 * (or the reverse) shows up as nothing.
 */
export function decide(
  candidates: BadgeDef[],
  facts: MemberFacts,
  held: ReadonlyArray<Held>,
  catalog: CatalogIndex
): Decision {
  const slots = new Map<number, Map<number, Slot>>();
  const order: Slot[] = [];
  for (const h of held) {
    let bySeq = slots.get(h.badgeId);
    if (!bySeq) slots.set(h.badgeId, (bySeq = new Map()));
    const slot: Slot = {
      badgeId: h.badgeId,
      sequence: h.sequence,
      before: { revoked: h.revoked, manual: h.manual },
      revoked: h.revoked,
      manual: h.manual,
    };
    bySeq.set(h.sequence, slot);
    order.push(slot);
  }

  // Treated as immutable: every change makes a new list and a new evaluation context.
  let earned: ReadonlyArray<{ badgeId: number; sequence: number }> = facts.earned;
  let ctx: EvalContext = { facts, catalog, summary: null };
  let changed = false;
  const setEarned = (next: ReadonlyArray<{ badgeId: number; sequence: number }>) => {
    earned = next;
    ctx = { facts: { ...facts, earned }, catalog, summary: null };
    changed = true;
  };
  const progress = new Map<number, { badgeId: number; current: number; target: number }>();

  const consider = (b: BadgeDef) => {
    if (!b.enabled || isManual(b)) return;
    const { times, progress: p } = earnable(b, ctx);
    progress.set(b.id, { badgeId: b.id, current: p.current, target: p.target });
    let bySeq = slots.get(b.id);
    if (!bySeq) slots.set(b.id, (bySeq = new Map()));
    const gained: Array<{ badgeId: number; sequence: number }> = [];
    for (let seq = 1; seq <= times; seq++) {
      const slot = bySeq.get(seq);
      if (slot && !slot.revoked) continue;
      if (slot) slot.revoked = false;
      else {
        const fresh: Slot = {
          badgeId: b.id,
          sequence: seq,
          before: null,
          revoked: false,
          manual: false,
        };
        bySeq.set(seq, fresh);
        order.push(fresh);
      }
      gained.push({ badgeId: b.id, sequence: seq });
    }
    if (gained.length > 0) setEarned([...earned, ...gained]);
    if (!b.autoRevoke) return;
    const lost = new Set<number>();
    for (const slot of bySeq.values()) {
      if (slot.revoked || slot.manual || slot.sequence <= times) continue;
      slot.revoked = true;
      lost.add(slot.sequence);
    }
    if (lost.size > 0) {
      setEarned(earned.filter((e) => !(e.badgeId === b.id && lost.has(e.sequence))));
    }
  };

  const seen = new Set<number>();
  for (const b of candidates) {
    if (seen.has(b.id)) continue;
    seen.add(b.id);
    consider(b);
  }
  // Meta badges only move when earned moves: iterate until it settles (bounded, in case of cycles).
  for (let round = 0; round < MAX_META_ROUNDS && changed; round++) {
    changed = false;
    for (const b of catalog.metaBadges()) consider(b);
  }

  const decision: Decision = { awards: [], revokes: [], progress: [...progress.values()] };
  for (const slot of order) {
    const wasLive = slot.before !== null && !slot.before.revoked;
    if (!slot.revoked && !wasLive) {
      decision.awards.push({ badgeId: slot.badgeId, sequence: slot.sequence });
    } else if (slot.revoked && wasLive) {
      decision.revokes.push({ badgeId: slot.badgeId, sequence: slot.sequence, reason: REVOKE_REASON });
    }
  }
  return decision;
}
