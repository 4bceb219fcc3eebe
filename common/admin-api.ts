/**
 * The admin panel's API (`/achievements/...`, admin JWT): request schemas shared by the server
 * controllers (which validate with them) and the admin pages (which type their calls with them).
 */
import { z } from 'zod';
import { MAX_ROW_ID, wholeNumber, type Leaderboard } from './api';
import { BADGE_TIERS } from './constants';

const id = (what: string) =>
  z
    .string({ error: `must be the ${what}'s documentId` })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: `must be the ${what}'s documentId` });

const whole = (min: number, max: number) => {
  const error = `must be a whole number between ${min} and ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const slugRe = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const documentIdParamsSchema = z.object({ id: id('record') }).strict();
export const memberParamsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[0-9]{1,10}$/, { error: 'must be a member id' })
      // PostgreSQL's integer columns refuse larger ids: no member can have one.
      .refine((value) => Number(value) <= MAX_ROW_ID, {
        error: `must be a member id (at most ${MAX_ROW_ID})`,
      }),
  })
  .strict();

/** A badge as the editor saves it. `criteria` is checked by the engine's own validator. */
export const badgeInputSchema = z
  .object({
    name: z
      .string({ error: 'must be a text of 1 to 80 characters' })
      .trim()
      .min(1, { error: 'must be a text of 1 to 80 characters' })
      .max(80, { error: 'must be a text of 1 to 80 characters' }),
    description: z
      .string({ error: 'must be a text of at most 500 characters' })
      .max(500, { error: 'must be a text of at most 500 characters' })
      .nullable()
      .optional(),
    image: z
      .number({ error: 'must be a media file id' })
      .int({ error: 'must be a media file id' })
      .positive({ error: 'must be a media file id' })
      .nullable()
      .optional(),
    category: id('category').nullable().optional(),
    tier: z.enum(BADGE_TIERS, { error: `must be one of ${BADGE_TIERS.join(', ')}` }),
    points: whole(0, 100_000),
    criteria: z.unknown(),
    secret: z.boolean({ error: 'must be true or false' }).optional(),
    repeatable: z.boolean({ error: 'must be true or false' }).optional(),
    maxRepeats: whole(1, 10_000).nullable().optional(),
    autoRevoke: z.boolean({ error: 'must be true or false' }).optional(),
    enabled: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

export const badgePatchSchema = badgeInputSchema.partial().strict();

/**
 * `maxRepeats` caps how often a repeatable badge is earned; on a badge that is not repeatable it
 * would mean nothing, so it is refused rather than silently dropped. `repeatable` is the value
 * the badge will have after the write. Null when the pair is fine.
 */
export const maxRepeatsIssue = (
  maxRepeats: number | null | undefined,
  repeatable: boolean | undefined
): { path: string; message: string } | null =>
  maxRepeats !== undefined && maxRepeats !== null && repeatable !== true
    ? {
        path: 'maxRepeats',
        message: 'only a repeatable badge has maxRepeats: set repeatable: true',
      }
    : null;

export const reorderSchema = z
  .object({
    order: z
      .array(id('record'), { error: 'must be a list of documentIds' })
      .min(1, { error: 'must list at least one documentId' })
      .max(1000, { error: 'must list at most 1000 documentIds' }),
  })
  .strict();

export const dryRunSchema = z
  .object({
    criteria: z.unknown(),
    category: z
      .string({ error: 'must be a category slug' })
      .regex(slugRe, { error: 'must be a category slug' })
      .nullable()
      .optional(),
    points: whole(0, 100_000).optional(),
  })
  .strict();

export const categoryInputSchema = z
  .object({
    name: z
      .string({ error: 'must be a text of 1 to 60 characters' })
      .trim()
      .min(1, { error: 'must be a text of 1 to 60 characters' })
      .max(60, { error: 'must be a text of 1 to 60 characters' }),
    description: z
      .string({ error: 'must be a text of at most 300 characters' })
      .max(300, { error: 'must be a text of at most 300 characters' })
      .nullable()
      .optional(),
  })
  .strict();

export const categoryPatchSchema = categoryInputSchema.partial().strict();

export const memberSearchSchema = z
  .object({
    q: z
      .string({ error: 'must be a text' })
      .max(100, { error: 'must be at most 100 characters' })
      .optional(),
    page: z
      .string()
      .regex(/^[1-9][0-9]{0,3}$/, { error: 'must be a page number between 1 and 9999' })
      .optional(),
  })
  .strict();

export const erasuresQuerySchema = z
  .object({
    page: z
      .string()
      .regex(/^[1-9][0-9]{0,3}$/, { error: 'must be a page number between 1 and 9999' })
      .optional(),
  })
  .strict();

/** What an erase removes, per table (the confirmation), and the receipt it leaves. */
export interface ErasePreview {
  ledger: number;
  ledgerActedIn: number;
  achievements: number;
  progress: number;
  streaks: number;
  preferences: number;
  notifications: number;
  /** Credentials issued to the member: all are deleted. */
  credentials: number;
  /** Of those, the ones not yet revoked. */
  credentialsInForce: number;
  /** Whether the erase revokes those in the status list (Settings: revoke credentials on erase). */
  revokesCredentials: boolean;
  points: number;
  digests: number;
}

export interface ErasureReceipt {
  id: number;
  status: 'running' | 'done';
  origin: string;
  /** The admin who asked for it (an erase from the admin, a lifted tombstone). */
  admin: { id: number; name: string | null } | null;
  startedAt: string;
  finishedAt: string | null;
  /** `<table>.deleted` / `ledger.pseudonymised` → rows */
  tables: Record<string, number>;
  rows: number;
  resumed: number;
}

const reason = z
  .string({ error: 'must be a text of 1 to 500 characters' })
  .trim()
  .min(1, { error: 'must be a text of 1 to 500 characters' })
  .max(500, { error: 'must be a text of 1 to 500 characters' });

export const awardSchema = z.object({ badge: id('badge'), reason: reason.optional() }).strict();

export const revokeSchema = z
  .object({
    badge: id('badge'),
    reason,
    sequence: whole(1, 10_000).optional(),
  })
  .strict();

/** A manual points adjustment: a signed amount (never 0) and why. */
export const pointsAdjustSchema = z
  .object({
    amount: whole(-1_000_000, 1_000_000).refine((n) => n !== 0, { error: 'must not be 0' }),
    reason,
  })
  .strict();

/** A page of a member's points entries. */
export const memberPointsQuerySchema = z
  .object({
    page: wholeNumber(1, 10_000).optional(),
    pageSize: wholeNumber(1, 100).optional(),
  })
  .strict();

/** Insights' window: the last `weeks` calendar weeks, the last `days` days. */
export const INSIGHTS_MAX_WEEKS = 52;
export const INSIGHTS_MAX_DAYS = 366;
export const insightsQuerySchema = z
  .object({
    weeks: wholeNumber(1, INSIGHTS_MAX_WEEKS).optional(),
    days: wholeNumber(1, INSIGHTS_MAX_DAYS).optional(),
  })
  .strict();

/** The badge whose progress distribution Insights draws. */
export const insightsProgressParamsSchema = z.object({ badge: id('badge') }).strict();

export const bulkAwardSchema = z
  .object({
    badge: id('badge'),
    reason: reason.optional(),
    /** Usernames or emails, one per line or separated by commas/spaces. */
    members: z
      .string({ error: 'must be a text of usernames or emails' })
      .max(100_000, { error: 'must be at most 100000 characters' })
      .refine((s) => splitIdentifiers(s).length > 0, {
        error: 'must name at least one username or email',
      })
      .refine((s) => splitIdentifiers(s).length <= 1000, {
        error: 'must name at most 1000 members',
      }),
  })
  .strict();

export const recalculateSchema = z
  .object({
    badges: z
      .array(
        z.string({ error: 'must be badge slugs' }).regex(slugRe, { error: 'must be badge slugs' }),
        { error: 'must be a list of badge slugs' }
      )
      .min(1, { error: 'must list at least one badge' })
      .max(500, { error: 'must list at most 500 badges' })
      .optional(),
    notify: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict();

/** Splits pasted text into usernames/emails (lines, commas, semicolons or spaces). */
export function splitIdentifiers(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const value = raw.trim();
    if (!value || seen.has(value.toLowerCase())) continue;
    seen.add(value.toLowerCase());
    out.push(value);
  }
  return out;
}

export type BadgeInput = z.input<typeof badgeInputSchema>;
export type CategoryInput = z.input<typeof categoryInputSchema>;

// --- responses ---------------------------------------------------------------------------------

export interface AdminCategory {
  documentId: string;
  name: string;
  slug: string;
  description: string | null;
  sortOrder: number;
  badgeCount: number;
}

export interface AdminBadge {
  id: number;
  documentId: string;
  name: string;
  slug: string;
  description: string | null;
  image: { id: number; url: string; alternativeText: string | null } | null;
  category: { documentId: string; name: string; slug: string } | null;
  tier: (typeof BADGE_TIERS)[number];
  points: number;
  criteria: unknown;
  criteriaText: string;
  secret: boolean;
  repeatable: boolean;
  maxRepeats: number | null;
  autoRevoke: boolean;
  enabled: boolean;
  sortOrder: number;
  earnedCount: number;
  rarity: number;
}

export interface AdminMeta {
  events: string[];
  profileFields: string[];
  tiers: readonly string[];
}

export interface AdminMemberRow {
  id: number;
  documentId: string;
  username: string;
  email: string;
  blocked: boolean;
}

export interface BulkAwardResult {
  awarded: string[];
  already: string[];
  notFound: string[];
}

export interface RecalculationStatus {
  status: 'idle' | 'running' | 'done' | 'failed';
  phase: string | null;
  total: number;
  processed: number;
  badges: string[] | null;
  notify: boolean;
  startedAt: string | null;
  updatedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** One points entry on a member's page (newest first). */
export interface AdminPointsEntry {
  id: number;
  amount: number;
  source: 'badge' | 'event' | 'admin';
  type: string | null;
  subject: string | null;
  scope: string | null;
  reason: string | null;
  occurredAt: string;
}

export interface AdminLevel {
  number: number;
  name: string;
  points: number;
}

/** `GET /members/:id/points`: the member's standing and a page of their entries. */
export interface AdminMemberPoints {
  points: number;
  level: AdminLevel;
  nextLevel: { name: string; points: number } | null;
  data: AdminPointsEntry[];
  pagination: { page: number; pageSize: number; pageCount: number; total: number };
}

/** `GET /leaderboards`: the boards to preview and the points settings that shape them. */
export interface AdminLeaderboards {
  /** `site`, then each `course:<documentId>` with entries. */
  boards: string[];
  /** Each course board's course title, where the course type has a title or name. */
  labels: Record<string, string>;
  timezone: string;
  points: {
    perEvent: Record<string, { points: number; dailyCap?: number }>;
    levels: Array<{ name: string; points: number }>;
    excludedRoles: string[];
  };
}

/** `GET /leaderboards/:board`: a page of the board as members see it. */
export type AdminLeaderboard = Leaderboard;

/** `GET /insights`: the charts of the Insights page over the window asked. */
export interface AdminInsights {
  timezone: string;
  /** Achievements earned (and still held) per calendar week, by category slug. */
  earnedPerWeek: {
    categories: Array<{ slug: string; name: string }>;
    weeks: Array<{ label: string; from: string; counts: Record<string, number>; total: number }>;
  };
  /** Badges by members holding them now: the most and the least earned (at most 5 each). */
  mostEarned: Array<{ documentId: string; name: string; earnedCount: number; rarity: number }>;
  leastEarned: Array<{ documentId: string; name: string; earnedCount: number; rarity: number }>;
  /** Every enabled badge, by name (the progress chart's choices). */
  badges: Array<{ documentId: string; name: string }>;
  /** Members with at least one event that day, per calendar day. */
  activePerDay: Array<{ label: string; from: string; members: number }>;
}

/** `GET /insights/progress/:badge`: members' progress toward a badge in ten buckets. */
export interface AdminProgressDistribution {
  badge: { documentId: string; name: string };
  /** 0–10 %, 10–20 %, …, 90–100 % (a met target counts in the last). */
  buckets: Array<{ from: number; to: number; members: number }>;
  total: number;
}
