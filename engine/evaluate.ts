/**
 * Decisions: given a member's facts, which badges are met, how far along each is, and which
 * achievements to award or revoke. No I/O: the adapter applies the decision.
 */
import type { BadgesCriteria, CountCriteria, Criteria } from './criteria';
import { criteriaKinds, listenedEvents } from './criteria';
import { PROFILE_EVENT, Tally, countKeyOf } from './tally';
import type { CountKey, Retractions } from './tally';

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

/** How far criteria are met: current of target, and whether they are. */
export interface CriteriaResult {
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

/**
 * An admin's decisions are facts in the ledger too, so a recalculation rebuilds them: `data`
 * carries { badgeId, sequence, by, reason }. They change what a member holds, so they wake the
 * badges that count held badges (meta and points badges). Never accepted from outside.
 */
export const ADMIN_EVENTS = { awarded: 'admin.awarded', revoked: 'admin.revoked' } as const;
export const ADMIN_EVENT_TYPES: readonly string[] = Object.values(ADMIN_EVENTS);
const MAX_META_ROUNDS = 10;
const NONE: BadgeDef[] = [];
const NO_HELD: Held[] = [];
/** decide()'s evaluation result, read right after each evaluation (decide is synchronous) */
const SCRATCH: CriteriaResult = { current: 0, target: 1, met: false };

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
  private readonly scopes = new WeakMap<BadgesCriteria, Scope>();
  /** badge id → its criteria compiled once (see planOf) */
  private readonly plans = new Map<number, BadgePlan>();

  constructor(
    badges: BadgeDef[],
    opts: { streakEvents?: string[]; retractions?: Retractions } = {}
  ) {
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
      if (kinds.has('badges') || kinds.has('points')) {
        this.meta.push(b);
        for (const ev of ADMIN_EVENT_TYPES) listen(ev, b);
      }
    }
    this.list.forEach((b, i) => {
      if (!this.plans.has(b.id)) this.plans.set(b.id, badgePlan(b, i));
    });
    this.marks = new Int32Array(this.list.length);
    this.positions = new Int32Array(this.list.length);
  }

  /**
   * Scratch for decide(): marks[slot] === the running decision's generation when the badge already
   * has a progress entry, at positions[slot]. decide() is synchronous, so one set per catalog
   * serves every call without allocating.
   */
  readonly marks: Int32Array;
  readonly positions: Int32Array;
  generation = 0;

  /** The badge's compiled criteria: built with the index for its own badges, else on demand. */
  planFor(b: BadgeDef): BadgePlan {
    const p = this.plans.get(b.id);
    if (p !== undefined && p.badge === b && p.criteria === b.criteria) return p;
    return badgePlan(b);
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
    return this.scopeIndex(c).list;
  }

  /** The scope as ids too, so meta criteria cost O(earned) rather than O(catalog). */
  scopeIndex(c: BadgesCriteria): Scope {
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
    const list = pool.filter((b) => b.enabled);
    scope = { list, ids: new Set(list.map((b) => b.id)) };
    this.scopes.set(c, scope);
    return scope;
  }
}

export interface Scope {
  list: BadgeDef[];
  ids: Set<number>;
}

interface EarnedSummary {
  /** badge id → live sequences; its keys are the distinct badges earned */
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
  const sequences = new Map<number, number>();
  let points = 0;
  for (const e of ctx.facts.earned) {
    const b = ctx.catalog.byId(e.badgeId);
    if (!b || !b.enabled) continue;
    sequences.set(e.badgeId, (sequences.get(e.badgeId) ?? 0) + 1);
    points += b.points;
  }
  ctx.summary = { sequences, points };
  return ctx.summary;
}

const ratio = (p: CriteriaResult) => (p.target > 0 ? p.current / p.target : 0);

function countProgress(
  c: CountCriteria,
  key: CountKey,
  facts: MemberFacts,
  self: BadgeDef | undefined,
  out: CriteriaResult
): void {
  const n = facts.tally.countBy(key, facts.now);
  const target = c.threshold;
  out.target = target;
  if (self !== undefined && self.repeatable && self.criteria === c) {
    // Progress toward the next sequence, full once the last allowed sequence is reached.
    const times = repeatTimes(self, n, c);
    out.met = times > 0;
    out.current =
      self.maxRepeats !== null && times > 0 && times >= self.maxRepeats
        ? target
        : n - times * target;
    return;
  }
  out.current = Math.min(n, target);
  out.met = n >= target;
}

function repeatTimes(badge: BadgeDef, n: number, c: CountCriteria): number {
  const times = Math.floor(n / c.threshold);
  return badge.maxRepeats === null ? times : Math.max(0, Math.min(times, badge.maxRepeats));
}

function badgesProgress(
  c: BadgesCriteria,
  ctx: EvalContext,
  self: BadgeDef | undefined,
  out: CriteriaResult
): void {
  const sequences = summaryOf(ctx).sequences;
  const scope = ctx.catalog.scopeIndex(c);
  const selfInScope = self !== undefined && scope.ids.has(self.id);
  const size = scope.ids.size - (selfInScope ? 1 : 0);
  let earned = 0;
  for (const id of sequences.keys()) if (scope.ids.has(id)) earned++;
  if (selfInScope && sequences.has(self!.id)) earned--;
  const target = c.count ?? size;
  // "Every badge" of an empty scope is unreachable, not free: report 0/1.
  if (target === 0) return set(out, 0, 1, false);
  set(out, Math.min(earned, target), target, earned >= target);
}

function set(out: CriteriaResult, current: number, target: number, met: boolean): void {
  out.current = current;
  out.target = target;
  out.met = met;
}

/** How far the member is toward one criteria. `self` is the badge being evaluated. */
export function evaluateCriteria(
  c: Criteria,
  facts: MemberFacts,
  catalog: CatalogIndex,
  self?: BadgeDef
): CriteriaResult {
  const out: CriteriaResult = { current: 0, target: 1, met: false };
  planOf(c)({ facts, catalog, summary: null }, self, out);
  return out;
}

/**
 * A criteria tree compiled to nested closures: each node's constants (its count key, fields,
 * children) are resolved once, not on every evaluation. A plan writes its result into `out`
 * rather than allocating one per evaluation; a group node hands its children its own scratch
 * object, read right after each child returns (evaluation is synchronous and a tree cannot
 * contain itself, so no evaluation ever overwrites a scratch object still being read).
 */
type Plan = (ctx: EvalContext, self: BadgeDef | undefined, out: CriteriaResult) => void;

/** A badge's compiled criteria, and for a repeatable count the key its sequences are counted by. */
export interface BadgePlan {
  /** the badge's position in its CatalogIndex, -1 for a badge outside it */
  readonly slot: number;
  readonly badge: BadgeDef;
  readonly criteria: Criteria;
  readonly evaluate: Plan;
  readonly repeatKey: CountKey | null;
}

const plans = new WeakMap<Criteria, Plan>();

/** The compiled form of a criteria (memoised per criteria object: criteria are immutable). */
function planOf(c: Criteria): Plan {
  let p = plans.get(c);
  if (p === undefined) {
    p = compilePlan(c);
    plans.set(c, p);
  }
  return p;
}

function badgePlan(b: BadgeDef, slot = -1): BadgePlan {
  const c = b.criteria;
  return {
    slot,
    badge: b,
    criteria: c,
    evaluate: planOf(c),
    repeatKey: b.repeatable && c.type === 'count' ? countKeyOf(c) : null,
  };
}

function compilePlan(c: Criteria): Plan {
  switch (c.type) {
    case 'count': {
      const key = countKeyOf(c);
      return (ctx, self, out) => countProgress(c, key, ctx.facts, self, out);
    }
    case 'profile': {
      const fields = c.fields;
      const target = fields.length;
      return (ctx, _self, out) => {
        const profile = ctx.facts.tally.profile;
        let filled = 0;
        for (let i = 0; i < fields.length; i++) if (profile[fields[i]] === true) filled++;
        set(out, filled, target, filled === target);
      };
    }
    case 'streak': {
      const days = c.days;
      return (ctx, _self, out) => {
        const streak = ctx.facts.streak;
        const met = streak.longest >= days;
        set(out, met ? days : Math.min(Math.max(0, streak.current), days), days, met);
      };
    }
    case 'badges':
      return (ctx, self, out) => badgesProgress(c, ctx, self, out);
    case 'points': {
      const threshold = c.threshold;
      return (ctx, self, out) => {
        const summary = summaryOf(ctx);
        let points = summary.points;
        const own = self === undefined ? undefined : summary.sequences.get(self.id);
        if (own !== undefined) points -= self!.points * own;
        set(out, Math.min(Math.max(0, points), threshold), threshold, points >= threshold);
      };
    }
    case 'all': {
      const children = c.of.map(planOf);
      const p: CriteriaResult = { current: 0, target: 1, met: false };
      return (ctx, self, out) => {
        let current = 0;
        let target = 0;
        let met = true;
        for (let i = 0; i < children.length; i++) {
          children[i](ctx, self, p);
          current += Math.min(p.current, p.target);
          target += p.target;
          met = met && p.met;
        }
        set(out, current, target, met);
      };
    }
    case 'any': {
      const children = c.of.map(planOf);
      const p: CriteriaResult = { current: 0, target: 1, met: false };
      return (ctx, self, out) => {
        let found = false;
        let bestCurrent = 0;
        let bestTarget = 1;
        let bestRatio = 0;
        for (let i = 0; i < children.length; i++) {
          children[i](ctx, self, p);
          if (p.met) return set(out, p.target, p.target, true);
          const r = ratio(p);
          if (!found || r > bestRatio) {
            found = true;
            bestCurrent = p.current;
            bestTarget = p.target;
            bestRatio = r;
          }
        }
        set(out, bestCurrent, bestTarget, false);
      };
    }
    default:
      // manual, and anything unknown: never met
      return (_ctx, _self, out) => set(out, 0, 1, false);
  }
}

function never(): CriteriaResult {
  return { current: 0, target: 1, met: false };
}

/** How many sequences of the badge the facts support right now. */
export function timesEarnable(badge: BadgeDef, facts: MemberFacts, catalog: CatalogIndex): number {
  const ctx: EvalContext = { facts, catalog, summary: null };
  const plan = catalog.planFor(badge);
  const progress = never();
  plan.evaluate(ctx, badge, progress);
  return timesOf(badge, plan, progress, facts);
}

function timesOf(
  badge: BadgeDef,
  plan: BadgePlan,
  progress: CriteriaResult,
  facts: MemberFacts
): number {
  if (!badge.enabled || isManual(badge)) return 0;
  if (plan.repeatKey !== null) {
    const c = badge.criteria as CountCriteria;
    return repeatTimes(badge, facts.tally.countBy(plan.repeatKey, facts.now), c);
  }
  return progress.met ? 1 : 0;
}

interface Slot {
  badgeId: number;
  sequence: number;
  /** live (held and not revoked) before this decision */
  wasLive: boolean;
  revoked: boolean;
  manual: boolean;
}

type Earned = ReadonlyArray<{ badgeId: number; sequence: number }>;

/** The working state of one decide() call; a class rather than closures keeps it on V8's fast path. */
class Decider {
  private heldBy: Map<number, Held[]> | null = null;
  /** built on the first change only: most decisions change nothing */
  private slots: Map<number, Map<number, Slot>> | null = null;
  private readonly order: Slot[] = [];
  private readonly progress: Decision['progress'] = [];
  private progressAt: Map<number, number> | null = null;
  private earned: Earned;
  private ctx: EvalContext;
  /** this decision's mark in the catalog's scratch (see CatalogIndex.marks) */
  private readonly generation: number;
  private foreign = false;
  changed = false;

  constructor(
    private readonly facts: MemberFacts,
    private readonly held: ReadonlyArray<Held>,
    private readonly catalog: CatalogIndex
  ) {
    this.earned = facts.earned;
    this.ctx = { facts, catalog, summary: null };
    let generation = (catalog.generation + 1) | 0;
    if (generation === 0) {
      // Wrapped around: forget every mark, so none can match a reused generation.
      catalog.marks.fill(0);
      generation = 1;
    }
    this.generation = catalog.generation = generation;
  }

  /** The badge's entry in `progress`, or -1: O(1) for the catalog's own badges. */
  private progressIndex(badgeId: number, slot: number): number {
    if (slot >= 0 && !this.foreign) {
      return this.catalog.marks[slot] === this.generation ? this.catalog.positions[slot] : -1;
    }
    return this.scanProgress(badgeId);
  }

  private scanProgress(badgeId: number): number {
    // A few candidates per event: a scan beats a Map; backfills (whole catalog) get the Map.
    if (this.progressAt) return this.progressAt.get(badgeId) ?? -1;
    const list = this.progress;
    if (list.length > 24) {
      this.progressAt = new Map(list.map((e, i) => [e.badgeId, i]));
      return this.progressAt.get(badgeId) ?? -1;
    }
    for (let i = 0; i < list.length; i++) if (list[i].badgeId === badgeId) return i;
    return -1;
  }

  /** `candidate`: skip a badge already considered (candidates may repeat one). */
  consider(b: BadgeDef, candidate: boolean): void {
    const plan = this.catalog.planFor(b);
    // A badge outside the catalog (a dry run's draft) may share an id with one inside: from then
    // on, entries are found by id.
    if (plan.slot < 0) this.foreign = true;
    const at = this.progressIndex(b.id, plan.slot);
    if (candidate && at >= 0) return;
    if (!b.enabled || isManual(b)) return;
    const ctx = this.ctx;
    const p = SCRATCH;
    plan.evaluate(ctx, b, p);
    const times = timesOf(b, plan, p, ctx.facts);
    if (at < 0) {
      const n = this.progress.length;
      this.progressAt?.set(b.id, n);
      if (plan.slot >= 0) {
        this.catalog.marks[plan.slot] = this.generation;
        this.catalog.positions[plan.slot] = n;
      }
      this.progress.push({ badgeId: b.id, current: p.current, target: p.target });
    } else {
      // A meta badge seen again in a later round: its entry is ours until result(), update it.
      const entry = this.progress[at];
      entry.current = p.current;
      entry.target = p.target;
    }
    let bySeq = this.slots === null ? undefined : this.slots.get(b.id);
    if (!bySeq) {
      // The common case is "no change": settle it from the held list without building slots.
      if (!this.wouldChange(b, times)) return;
      bySeq = this.materialise(b.id);
    }

    let gained: Array<{ badgeId: number; sequence: number }> | null = null;
    for (let seq = 1; seq <= times; seq++) {
      const slot = bySeq.get(seq);
      if (slot && !slot.revoked) continue;
      if (slot) slot.revoked = false;
      else {
        const fresh: Slot = {
          badgeId: b.id,
          sequence: seq,
          wasLive: false,
          revoked: false,
          manual: false,
        };
        bySeq.set(seq, fresh);
        this.order.push(fresh);
      }
      (gained ??= []).push({ badgeId: b.id, sequence: seq });
    }
    if (gained) this.setEarned([...this.earned, ...gained], b, gained.length);

    if (!b.autoRevoke) return;
    let lost: Set<number> | null = null;
    for (const slot of bySeq.values()) {
      if (slot.revoked || slot.manual || slot.sequence <= times) continue;
      slot.revoked = true;
      (lost ??= new Set()).add(slot.sequence);
    }
    if (lost) {
      const gone = lost;
      const next = this.earned.filter((e) => !(e.badgeId === b.id && gone.has(e.sequence)));
      this.setEarned(next, b, next.length - this.earned.length);
    }
  }

  /** The diff against what was held: a sequence awarded then revoked here shows up as nothing. */
  result(): Decision {
    const decision: Decision = { awards: [], revokes: [], progress: this.progress };
    for (const slot of this.order) {
      if (!slot.revoked && !slot.wasLive) {
        decision.awards.push({ badgeId: slot.badgeId, sequence: slot.sequence });
      } else if (slot.revoked && slot.wasLive) {
        decision.revokes.push({
          badgeId: slot.badgeId,
          sequence: slot.sequence,
          reason: REVOKE_REASON,
        });
      }
    }
    return decision;
  }

  private heldOf(badgeId: number): ReadonlyArray<Held> {
    // Small lists are scanned; large ones (backfills, many repeats) are indexed once.
    if (this.held.length <= 32) return this.held;
    if (!this.heldBy) {
      this.heldBy = new Map();
      for (const h of this.held) {
        const list = this.heldBy.get(h.badgeId);
        if (list) list.push(h);
        else this.heldBy.set(h.badgeId, [h]);
      }
    }
    return this.heldBy.get(badgeId) ?? NO_HELD;
  }

  private wouldChange(b: BadgeDef, times: number): boolean {
    // Nothing earnable and nothing to revoke: the held list cannot matter (the common case).
    if (times <= 0 && !b.autoRevoke) return false;
    const id = b.id;
    const autoRevoke = b.autoRevoke;
    const held = this.heldOf(id);
    let liveWithin = 0;
    for (let i = 0; i < held.length; i++) {
      const h = held[i];
      if (h.badgeId !== id || h.revoked) continue;
      if (h.sequence >= 1 && h.sequence <= times) {
        // Without auto-revoke only the count matters: stop once every sequence is held.
        if (++liveWithin >= times && !autoRevoke) return false;
      } else if (autoRevoke && !h.manual && h.sequence > times) return true;
    }
    return liveWithin < times;
  }

  private materialise(badgeId: number): Map<number, Slot> {
    const bySeq = new Map<number, Slot>();
    for (const h of this.heldOf(badgeId)) {
      if (h.badgeId !== badgeId) continue;
      const slot: Slot = {
        badgeId,
        sequence: h.sequence,
        wasLive: !h.revoked,
        revoked: h.revoked,
        manual: h.manual,
      };
      bySeq.set(h.sequence, slot);
      this.order.push(slot);
    }
    (this.slots ??= new Map()).set(badgeId, bySeq);
    return bySeq;
  }

  private setEarned(next: Earned, b: BadgeDef, delta: number): void {
    this.earned = next;
    // Carry the earned summary over, patched, rather than recount it for every meta badge.
    const prev = this.ctx.summary;
    let summary: EarnedSummary | null = null;
    if (prev) {
      summary = prev;
      // Same rule as summaryOf: only enabled badges of this catalog count.
      const def = this.catalog.byId(b.id);
      if (delta !== 0 && def?.enabled) {
        const n = (summary.sequences.get(def.id) ?? 0) + delta;
        if (n > 0) {
          summary.sequences.set(def.id, n);
        } else {
          summary.sequences.delete(def.id);
        }
        summary.points += def.points * delta;
      }
    }
    this.ctx = { facts: { ...this.facts, earned: next }, catalog: this.catalog, summary };
    this.changed = true;
  }
}

/**
 * Awards and revokes for the candidates, then for the meta badges their changes unlock, until
 * nothing changes. Returns a diff against `held`.
 */
export function decide(
  candidates: BadgeDef[],
  facts: MemberFacts,
  held: ReadonlyArray<Held>,
  catalog: CatalogIndex
): Decision {
  const d = new Decider(facts, held, catalog);
  for (const b of candidates) d.consider(b, true);
  // Meta badges only move when earned moves: iterate until it settles (bounded, in case of cycles).
  for (let round = 0; round < MAX_META_ROUNDS && d.changed; round++) {
    d.changed = false;
    for (const b of catalog.metaBadges()) d.consider(b, false);
  }
  return d.result();
}
