/**
 * The criteria language: the machine-readable rule on a badge, validated before it is saved.
 */
import { z } from 'zod';

export type DistinctBy = 'subject' | 'actor' | 'day';
export type CountCriteria = {
  type: 'count';
  event: string | string[];
  threshold: number;
  distinct?: DistinctBy;
  where?: Record<string, string | number | boolean | null>;
  withinDays?: number;
};
export type ProfileCriteria = { type: 'profile'; fields: string[] };
export type StreakCriteria = { type: 'streak'; days: number };
/** count omitted = every badge in scope; scope = category and/or badges (both = intersection). */
export type BadgesCriteria = {
  type: 'badges';
  count?: number;
  category?: string;
  badges?: string[];
};
export type PointsCriteria = { type: 'points'; threshold: number };
export type GroupCriteria = { type: 'all' | 'any'; of: Criteria[] };
export type ManualCriteria = { type: 'manual' };
export type Criteria =
  | CountCriteria
  | ProfileCriteria
  | StreakCriteria
  | BadgesCriteria
  | PointsCriteria
  | GroupCriteria
  | ManualCriteria;

export const CRITERIA_LIMITS = {
  maxDepth: 5,
  maxChildren: 20,
  maxThreshold: 1_000_000,
  maxPoints: 1_000_000_000,
  maxWithinDays: 3650,
  maxStreakDays: 3650,
  maxEvents: 10,
} as const;

export const CRITERIA_TYPES = [
  'count',
  'profile',
  'streak',
  'badges',
  'points',
  'all',
  'any',
  'manual',
] as const;

const EVENT_RE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FIELD_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const fmt = (n: number) => n.toLocaleString('en-US');

const wholeNumber = (field: string, max: number) => {
  const error = `${field} must be a whole number between 1 and ${fmt(max)}`;
  return z.number({ error }).int({ error }).min(1, { error }).max(max, { error });
};

const eventName = z
  .string({ error: 'event must be a text like "lesson.completed"' })
  .regex(EVENT_RE, {
    error: (iss) =>
      `event "${String(iss.input)}" is not a valid event name (lower case, with a dot, ` +
      'like "lesson.completed")',
  });

const slug = (field: string) =>
  z.string({ error: `${field} must be a slug like "courses"` }).regex(SLUG_RE, {
    error: (iss) =>
      `${field} "${String(iss.input)}" is not a valid slug (lower case letters, digits and dashes)`,
  });

const uniqueList = <T extends z.ZodType<string>>(item: T, field: string, max?: number) => {
  const range = max === undefined ? 'at least one entry' : `between 1 and ${fmt(max)} entries`;
  let list = z.array(item, { error: `${field} must be a list` }).min(1, {
    error: `${field} must list ${range}`,
  });
  if (max !== undefined) list = list.max(max, { error: `${field} must list ${range}` });
  return list.refine((xs) => new Set(xs).size === xs.length, {
    error: `${field} must not list the same entry twice`,
  });
};

const countSchema = z.strictObject({
  type: z.literal('count'),
  event: z.union([eventName, uniqueList(eventName, 'event', CRITERIA_LIMITS.maxEvents)], {
    // The union hides its members' messages, so name the bad value here.
    error: (iss) => {
      if (typeof iss.input === 'string') {
        return (
          `event "${iss.input}" is not a valid event name (lower case, with a dot, ` +
          'like "lesson.completed")'
        );
      }
      if (Array.isArray(iss.input)) {
        return `event must list between 1 and ${CRITERIA_LIMITS.maxEvents} entries`;
      }
      return 'event must be an event name or a list of event names';
    },
  }),
  threshold: wholeNumber('threshold', CRITERIA_LIMITS.maxThreshold),
  distinct: z
    .enum(['subject', 'actor', 'day'], { error: 'distinct must be one of subject, actor, day' })
    .optional(),
  where: z
    .record(
      z.string().regex(FIELD_RE, { error: 'where keys must be plain field names' }),
      z.union([z.string(), z.number(), z.boolean(), z.null()], {
        error: 'where values must be text, a number, true/false or null',
      }),
      {
        error: (iss) =>
          iss.code === 'invalid_key'
            ? 'where keys must be plain field names like "helpful"'
            : 'where must be an object of field: value',
      }
    )
    .optional(),
  withinDays: wholeNumber('withinDays', CRITERIA_LIMITS.maxWithinDays).optional(),
});

const profileSchema = z.strictObject({
  type: z.literal('profile'),
  fields: uniqueList(
    z
      .string({ error: 'fields must be a list of profile field names' })
      .regex(FIELD_RE, { error: 'fields must be a list of profile field names' }),
    'fields'
  ),
});

const streakSchema = z.strictObject({
  type: z.literal('streak'),
  days: wholeNumber('days', CRITERIA_LIMITS.maxStreakDays),
});

const badgesSchema = z.strictObject({
  type: z.literal('badges'),
  count: wholeNumber('count', CRITERIA_LIMITS.maxThreshold).optional(),
  category: slug('category').optional(),
  badges: uniqueList(slug('badges'), 'badges').optional(),
});

const pointsSchema = z.strictObject({
  type: z.literal('points'),
  threshold: wholeNumber('threshold', CRITERIA_LIMITS.maxPoints),
});

const ofError = `of must list between 1 and ${CRITERIA_LIMITS.maxChildren} criteria`;
const groupSchema = z.strictObject({
  type: z.enum(['all', 'any']),
  of: z
    .array(
      z.lazy((): z.ZodType<Criteria> => criteriaSchema),
      { error: ofError }
    )
    .min(1, { error: ofError })
    .max(CRITERIA_LIMITS.maxChildren, { error: ofError }),
});

const manualSchema = z.strictObject({ type: z.literal('manual') });

const typeError = `type must be one of ${CRITERIA_TYPES.join(', ')}`;

/**
 * The zod schema. Prefer parseCriteria: it bounds nesting before zod recurses and adds checks
 * against the host's known events and profile fields.
 */
export const criteriaSchema: z.ZodType<Criteria> = z.discriminatedUnion(
  'type',
  [countSchema, profileSchema, streakSchema, badgesSchema, pointsSchema, groupSchema, manualSchema],
  { error: typeError }
);

export interface CriteriaContext {
  knownEvents?: readonly string[];
  profileFields?: readonly string[];
}

export interface CriteriaIssue {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; criteria: Criteria } | { ok: false; issues: CriteriaIssue[] };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const joinPath = (path: ReadonlyArray<PropertyKey>) =>
  ['criteria', ...path.map((p) => String(p))].join('.');

/**
 * Walks only the group structure, iteratively, and stops one level past the limit, so a hostile
 * input 10,000 levels deep costs a handful of steps and never reaches zod's recursion.
 */
function structuralIssues(input: unknown): CriteriaIssue[] {
  const issues: CriteriaIssue[] = [];
  const stack: Array<{ node: unknown; path: string; depth: number }> = [
    { node: input, path: 'criteria', depth: 1 },
  ];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (!isRecord(node) || (node.type !== 'all' && node.type !== 'any')) continue;
    if (!Array.isArray(node.of)) continue;
    if (node.of.length > CRITERIA_LIMITS.maxChildren) {
      issues.push({ path: `${path}.of`, message: ofError });
      continue;
    }
    for (let i = node.of.length - 1; i >= 0; i--) {
      const child = node.of[i];
      const childPath = `${path}.of.${i}`;
      if (depth + 1 > CRITERIA_LIMITS.maxDepth) {
        if (isRecord(child)) {
          issues.push({
            path: childPath,
            message: `criteria are nested too deeply: at most ${CRITERIA_LIMITS.maxDepth} levels`,
          });
        }
        continue;
      }
      stack.push({ node: child, path: childPath, depth: depth + 1 });
    }
  }
  return issues;
}

function typeLabel(node: unknown): string {
  if (
    isRecord(node) &&
    typeof node.type === 'string' &&
    CRITERIA_TYPES.includes(node.type as never)
  ) {
    return `a ${node.type} criteria`;
  }
  return 'this criteria';
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function zodIssues(input: unknown, error: z.ZodError): CriteriaIssue[] {
  const out: CriteriaIssue[] = [];
  for (const iss of error.issues) {
    if (iss.code === 'unrecognized_keys') {
      const label = typeLabel(valueAt(input, iss.path));
      for (const key of iss.keys) {
        out.push({
          path: joinPath([...iss.path, key]),
          message: `"${key}" is not a known field of ${label}`,
        });
      }
    } else if (iss.code === 'invalid_type' && iss.expected === 'object') {
      out.push({
        path: joinPath(iss.path),
        message: 'each criteria must be an object with a type',
      });
    } else {
      out.push({ path: joinPath(iss.path), message: iss.message });
    }
  }
  return out;
}

function contextIssues(root: Criteria, ctx: CriteriaContext): CriteriaIssue[] {
  const issues: CriteriaIssue[] = [];
  const known = ctx.knownEvents ? new Set(ctx.knownEvents) : null;
  const fields = ctx.profileFields ? new Set(ctx.profileFields) : null;
  const stack: Array<{ c: Criteria; path: string }> = [{ c: root, path: 'criteria' }];
  while (stack.length > 0) {
    const { c, path } = stack.pop()!;
    if (c.type === 'count' && known) {
      const events = Array.isArray(c.event) ? c.event : [c.event];
      events.forEach((ev, i) => {
        if (known.has(ev)) return;
        const list = ctx.knownEvents!.length ? ctx.knownEvents!.join(', ') : 'none';
        issues.push({
          path: Array.isArray(c.event) ? `${path}.event.${i}` : `${path}.event`,
          message: `event "${ev}" is not a known event; known events are: ${list}`,
        });
      });
    } else if (c.type === 'profile' && fields) {
      c.fields.forEach((f, i) => {
        if (fields.has(f)) return;
        const list = ctx.profileFields!.length ? ctx.profileFields!.join(', ') : 'none';
        issues.push({
          path: `${path}.fields.${i}`,
          message: `profile field "${f}" is not known; known fields are: ${list}`,
        });
      });
    } else if (c.type === 'badges') {
      if (c.count !== undefined && c.badges && c.count > c.badges.length) {
        issues.push({
          path: `${path}.count`,
          message: `count must not be more than the number of listed badges (${c.badges.length})`,
        });
      }
    } else if (c.type === 'all' || c.type === 'any') {
      for (let i = c.of.length - 1; i >= 0; i--) {
        stack.push({ c: c.of[i], path: `${path}.of.${i}` });
      }
    }
  }
  return issues;
}

function dedupe(issues: CriteriaIssue[]): CriteriaIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Validates a criteria: shape and limits, then events and fields against the host's context. */
export function parseCriteria(input: unknown, ctx: CriteriaContext = {}): ParseResult {
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [{ path: 'criteria', message: 'criteria must be an object with a type' }],
    };
  }
  const structural = structuralIssues(input);
  if (structural.length > 0) return { ok: false, issues: structural };
  const parsed = criteriaSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: dedupe(zodIssues(input, parsed.error)) };
  const semantic = contextIssues(parsed.data, ctx);
  if (semantic.length > 0) return { ok: false, issues: semantic };
  return { ok: true, criteria: parsed.data };
}

function walk(c: Criteria, visit: (c: Criteria) => void): void {
  const stack: Criteria[] = [c];
  while (stack.length > 0) {
    const node = stack.pop()!;
    visit(node);
    if (node.type === 'all' || node.type === 'any') {
      for (let i = node.of.length - 1; i >= 0; i--) stack.push(node.of[i]);
    }
  }
}

/** Every event type a count criteria anywhere in the tree listens to, in order of appearance. */
export function listenedEvents(c: Criteria): string[] {
  const out = new Set<string>();
  walk(c, (node) => {
    if (node.type !== 'count') return;
    for (const ev of Array.isArray(node.event) ? node.event : [node.event]) out.add(ev);
  });
  return [...out];
}

/** The criteria kinds used anywhere in the tree. */
export function criteriaKinds(c: Criteria): Set<Criteria['type']> {
  const out = new Set<Criteria['type']>();
  walk(c, (node) => out.add(node.type));
  return out;
}

/**
 * Where the criteria of badge `slug` list that badge itself among the badges they require
 * (`criteria.of.1.badges.0`): a badge can never be held before it is earned, so such a rule is
 * unreachable. Empty when there is none. (A category scope that contains the badge is fine:
 * the engine leaves the badge out of its own scope.)
 */
export function selfRequirementIssues(c: Criteria, slug: string): CriteriaIssue[] {
  const issues: CriteriaIssue[] = [];
  const stack: Array<{ node: Criteria; path: string }> = [{ node: c, path: 'criteria' }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node.type === 'badges') {
      node.badges?.forEach((listed, i) => {
        if (listed !== slug) return;
        issues.push({
          path: `${path}.badges.${i}`,
          message: `a badge cannot require itself ("${slug}")`,
        });
      });
    } else if (node.type === 'all' || node.type === 'any') {
      for (let i = node.of.length - 1; i >= 0; i--) {
        stack.push({ node: node.of[i], path: `${path}.of.${i}` });
      }
    }
  }
  return issues;
}
