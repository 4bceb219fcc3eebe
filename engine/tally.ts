/**
 * One member's facts, built incrementally from ledger events. Counts the engine asks for often
 * are kept as live counters ("views") updated on every event, so evaluating a badge after an event
 * costs O(1) instead of a rescan of the member's history.
 */
import type { CountCriteria, DistinctBy } from './criteria';
import { isValidTimeZone, localDayNumber } from './streak';

export interface LedgerEvent {
  type: string;
  userId: number;
  actorId?: number | null;
  subject?: string | null;
  /** epoch ms */
  occurredAt: number;
  data?: Record<string, unknown> | null;
}

/** Retraction event type → the event type it cancels. */
export type Retractions = Readonly<Record<string, string>>;

export interface CountSpec {
  event: string | string[];
  distinct?: DistinctBy;
  where?: CountCriteria['where'];
  withinDays?: number;
}

export const PROFILE_EVENT = 'profile.updated';

const DAY_MS = 86_400_000;

interface Occurrence {
  at: number;
  subject: string | null;
  actor: number | null;
  data: Record<string, unknown> | null;
  /** local day number in the tally's timezone, computed on first need */
  day: number | null;
  live: boolean;
}

interface SubjectLog {
  /** every occurrence at or before this instant is cancelled, including ones not yet applied */
  retractedUpTo: number;
  occurrences: Occurrence[];
}

type WhereEntry = [string, string | number | boolean | null];

/**
 * A count spec resolved once: its event types, where-filter and distinct key, and a slot number
 * shared by every spec counting the same thing, so a Tally finds its live counter by array index.
 * Criteria are immutable once parsed, so the spec object itself is a safe cache key.
 */
export interface CountKey {
  readonly slot: number;
  readonly types: readonly string[];
  readonly where: WhereEntry[] | null;
  readonly distinct: DistinctBy | undefined;
  readonly withinDays: number | undefined;
}

const countKeys = new WeakMap<object, CountKey>();
/**
 * Count specs get small process-wide numbers (slots), so a Tally keeps its live counters in an
 * array. Every distinct spec content the process sees takes one (badge criteria, and the badge
 * editor's dry runs as an editor types): bounded, and specs past the bound get -1 and live in a
 * per-Tally map instead.
 */
const slotOf = new Map<string, number>();
export const MAX_COUNT_SLOTS = 4096;

/** The resolved form of a count spec (memoised per spec object). */
export function countKeyOf(spec: CountSpec): CountKey {
  let k = countKeys.get(spec);
  if (k) return k;
  const types = [...new Set(Array.isArray(spec.event) ? spec.event : [spec.event])].sort();
  const entries = spec.where
    ? (Object.entries(spec.where).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) as WhereEntry[])
    : [];
  const where = entries.length > 0 ? entries : null;
  const id = JSON.stringify([types, spec.distinct ?? null, where]);
  let slot = slotOf.get(id);
  if (slot === undefined) {
    if (slotOf.size >= MAX_COUNT_SLOTS) slot = -1;
    else {
      slot = slotOf.size;
      slotOf.set(id, slot);
    }
  }
  k = { slot, types, where, distinct: spec.distinct, withinDays: spec.withinDays };
  countKeys.set(spec, k);
  return k;
}

function matchesWhere(o: Occurrence, where: WhereEntry[] | null): boolean {
  if (!where) return true;
  const data = o.data;
  if (!data) return false;
  for (const [k, v] of where) if (data[k] !== v) return false;
  return true;
}

class View {
  total = 0;
  /** distinct key → live occurrences carrying it; null when the view is not distinct */
  readonly keys: Map<string | number, number> | null;
  readonly where: WhereEntry[] | null;
  readonly distinct: DistinctBy | undefined;

  constructor(
    key: CountKey,
    private readonly tally: Tally
  ) {
    this.where = key.where;
    this.distinct = key.distinct;
    this.keys = key.distinct ? new Map() : null;
  }

  add(o: Occurrence): void {
    if (this.where !== null && !matchesWhere(o, this.where)) return;
    const keys = this.keys;
    if (keys === null) {
      this.total++;
      return;
    }
    const key = this.tally.keyOf(o, this.distinct!);
    if (key === null) return;
    const n = keys.get(key);
    keys.set(key, n === undefined ? 1 : n + 1);
  }

  remove(o: Occurrence): void {
    if (this.where !== null && !matchesWhere(o, this.where)) return;
    const keys = this.keys;
    if (keys === null) {
      this.total--;
      return;
    }
    const key = this.tally.keyOf(o, this.distinct!);
    if (key === null) return;
    const n = (keys.get(key) ?? 0) - 1;
    if (n > 0) keys.set(key, n);
    else keys.delete(key);
  }

  value(): number {
    return this.keys !== null ? this.keys.size : this.total;
  }
}

interface TypeLog {
  /** live and retracted occurrences, in arrival order */
  occurrences: Occurrence[];
  /** live counters this type feeds */
  views: View[];
  /**
   * subject → log, only for types some retraction cancels, and built on the first retraction of
   * the type (until then every occurrence is live and nothing is retracted: the log would hold
   * nothing the occurrence list does not).
   */
  subjects: Map<string, SubjectLog> | null;
  /** for a retraction type: the type it cancels */
  cancels: string | null;
  /** every occurrence arrived in occurredAt order: window counts can stop at the window start */
  ordered: boolean;
  /** occurredAt of the last occurrence recorded (kept here so recording touches no old one) */
  lastAt: number;
  /** retracted occurrences not compacted away yet */
  dead: number;
}

/**
 * Event types get small process-wide numbers, so a Tally keeps its per-type logs in an array: the
 * shared table stays hot in cache while each member's own map would not. Bounded: types past the
 * bound (junk from a misbehaving host) fall back to a per-Tally map.
 */
const typeNumbers = new Map<string, number>();
const MAX_TYPE_NUMBERS = 4096;

function typeNumber(type: string): number {
  let n = typeNumbers.get(type);
  if (n === undefined) {
    if (typeNumbers.size >= MAX_TYPE_NUMBERS) return -1;
    n = typeNumbers.size;
    typeNumbers.set(type, n);
  }
  return n;
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export class Tally {
  /** The latest profile.updated event's fields (by occurredAt). */
  profile: Record<string, boolean> = {};
  readonly timezone: string;

  private profileAt = -Infinity;
  private readonly cancels = new Map<string, string>();
  /** everything kept per event type, by the type's process-wide number (see typeNumber) */
  private readonly logs: Array<TypeLog | undefined> = [];
  /** types beyond the interning bound */
  private readonly otherLogs = new Map<string, TypeLog>();
  /** live counters by CountKey slot */
  private readonly views: Array<View | undefined> = [];
  /** live counters of specs past the slot bound (slot -1) */
  private readonly otherViews = new Map<CountKey, View>();
  /** scratch set of distinct keys for window counts, emptied after each use */
  private readonly windowKeys = new Set<string | number>();

  constructor(opts: { retractions?: Retractions; timezone?: string } = {}) {
    // A member's stored timezone may be junk; counting days in UTC beats failing the event.
    this.timezone = opts.timezone && isValidTimeZone(opts.timezone) ? opts.timezone : 'UTC';
    const retractions = opts.retractions ?? {};
    for (const k of Object.keys(retractions)) {
      if (hasOwn(retractions, k) && typeof retractions[k] === 'string') {
        this.cancels.set(k, retractions[k]);
      }
    }
  }

  apply(e: LedgerEvent): void {
    if (!e || typeof e.type !== 'string' || !Number.isFinite(e.occurredAt)) return;
    const subject = e.subject ?? null;
    if (e.type === PROFILE_EVENT) this.applyProfile(e);
    const log = this.logOf(e.type);
    // Without a subject a retraction cannot say what it cancels, so it cancels nothing.
    if (log.cancels !== null && subject !== null) {
      this.retract(this.logOf(log.cancels), subject, e.occurredAt);
    }
    this.record(log, {
      at: e.occurredAt,
      subject,
      actor: e.actorId ?? null,
      data: e.data ?? null,
      day: null,
      live: true,
    });
  }

  /** Live occurrences of the event(s), optionally distinct, filtered, and inside a window. */
  count(spec: CountSpec, now: number): number {
    return this.countBy(countKeyOf(spec), now);
  }

  /** count() for a spec resolved beforehand with countKeyOf (the engine's hot path). */
  countBy(key: CountKey, now: number): number {
    if (key.withinDays !== undefined) return this.countWindow(key, now);
    const view = key.slot >= 0 ? this.views[key.slot] : this.otherViews.get(key);
    return (view === undefined ? this.viewFor(key) : view).value();
  }

  /** The distinct key of an occurrence: its subject, its actor or its local day (a number). */
  keyOf(o: Occurrence, by: DistinctBy): string | number | null {
    if (by === 'subject') return o.subject;
    if (by === 'actor') return o.actor;
    if (o.day === null) o.day = localDayNumber(o.at, this.timezone);
    return o.day;
  }

  private applyProfile(e: LedgerEvent): void {
    if (e.occurredAt < this.profileAt) return;
    const fields = e.data?.fields;
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return;
    const next: Record<string, boolean> = {};
    for (const [k, v] of Object.entries(fields as Record<string, unknown>)) next[k] = v === true;
    this.profile = next;
    this.profileAt = e.occurredAt;
  }

  private findLog(type: string): TypeLog | undefined {
    const n = typeNumber(type);
    return n >= 0 ? this.logs[n] : this.otherLogs.get(type);
  }

  private logOf(type: string): TypeLog {
    const n = typeNumber(type);
    let log = n >= 0 ? this.logs[n] : this.otherLogs.get(type);
    if (log === undefined) {
      log = {
        occurrences: [],
        views: [],
        subjects: null,
        cancels: this.cancels.get(type) ?? null,
        ordered: true,
        lastAt: -Infinity,
        dead: 0,
      };
      if (n >= 0) this.logs[n] = log;
      else this.otherLogs.set(type, log);
    }
    return log;
  }

  private subjectLog(log: TypeLog, subject: string): SubjectLog {
    const subjects = log.subjects!;
    let s = subjects.get(subject);
    if (s === undefined) {
      s = { retractedUpTo: -Infinity, occurrences: [] };
      subjects.set(subject, s);
    }
    return s;
  }

  private record(log: TypeLog, o: Occurrence): void {
    // Only types some retraction cancels need a per-subject log.
    if (o.subject !== null && log.subjects !== null) {
      const s = this.subjectLog(log, o.subject);
      // A retraction already applied covers this older occurrence that arrived late.
      if (o.at <= s.retractedUpTo) return;
      s.occurrences.push(o);
    }
    const list = log.occurrences;
    if (o.at < log.lastAt) log.ordered = false;
    else log.lastAt = o.at;
    list.push(o);
    const views = log.views;
    for (let i = 0; i < views.length; i++) views[i].add(o);
  }

  private retract(log: TypeLog, subject: string, at: number): void {
    if (log.subjects === null) {
      // First retraction of this type: index what was recorded so far, in arrival order.
      log.subjects = new Map();
      for (const o of log.occurrences) {
        if (o.subject !== null) this.subjectLog(log, o.subject).occurrences.push(o);
      }
    }
    const s = this.subjectLog(log, subject);
    if (at <= s.retractedUpTo) return;
    s.retractedUpTo = at;
    const views = log.views;
    let killed = 0;
    for (const o of s.occurrences) {
      if (!o.live || o.at > at) continue;
      o.live = false;
      killed++;
      for (const v of views) v.remove(o);
    }
    if (killed === 0) return;
    s.occurrences = s.occurrences.filter((o) => o.live);
    log.dead += killed;
    // Compact lazily so window scans do not wade through a long tail of retracted events.
    if (log.dead > 32 && log.dead * 2 > log.occurrences.length) {
      log.occurrences = log.occurrences.filter((o) => o.live);
      log.dead = 0;
    }
  }

  private viewFor(key: CountKey): View {
    const view = new View(key, this);
    for (const t of key.types) {
      const log = this.logOf(t);
      for (const o of log.occurrences) if (o.live) view.add(o);
      log.views.push(view);
    }
    if (key.slot >= 0) this.views[key.slot] = view;
    else this.otherViews.set(key, view);
    return view;
  }

  /**
   * Time windows move with `now`, so they cannot be kept as counters: scan the live events. A
   * type whose occurrences arrived in time order is scanned from its newest end back to the window
   * start only.
   */
  private countWindow(key: CountKey, now: number): number {
    const since = now - (key.withinDays as number) * DAY_MS;
    const where = key.where;
    const by = key.distinct;
    const keys = by ? this.windowKeys : null;
    let total = 0;
    for (const t of key.types) {
      const log = this.findLog(t);
      if (log === undefined) continue;
      const list = log.occurrences;
      const ordered = log.ordered;
      for (let i = list.length - 1; i >= 0; i--) {
        const o = list[i];
        if (o.at <= since) {
          if (ordered) break;
          continue;
        }
        if (!o.live || (where !== null && !matchesWhere(o, where))) continue;
        if (keys === null) total++;
        else {
          const k = this.keyOf(o, by!);
          if (k !== null) keys.add(k);
        }
      }
    }
    if (keys === null) return total;
    const n = keys.size;
    keys.clear();
    return n;
  }
}
