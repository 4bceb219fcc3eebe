/**
 * The member-facing REST API (`/api/achievements/...`) in one place: a zod schema and a type for
 * every request and response, and the list of operations. The server validates requests with
 * these schemas and builds responses of these types; the OpenAPI document
 * (`openapi/achievements.openapi.json`) is generated from them, and the integration tests
 * validate every response body against that document. Frontends and the admin may import it.
 */
import { z } from 'zod';
import { BADGE_TIERS, CARD_POSITIONS, CONTENT_API_ACTIONS } from './constants';
import { cardSettingsSchema, EMAIL_LANGUAGES } from './settings';
import { describeZodError, type FieldIssue } from './validation';

/** `GET /badges` never returns more than this many badges per page, whatever is asked. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE = 10_000;
/** The largest id the plugin's and Strapi's 32-bit `integer` id columns hold (PostgreSQL errors above it). */
export const MAX_ROW_ID = 2_147_483_647;
/** Leaderboard periods: calendar week (ISO, from Monday), month, all time. */
export const LEADERBOARD_PERIODS = ['week', 'month', 'all'] as const;
export const DEFAULT_LEADERBOARD_PAGE_SIZE = 50;

/** Named schemas: each becomes one entry of the OpenAPI document's `components.schemas`. */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

const named = <T extends z.ZodType>(schema: T, id: string, description: string): T => {
  apiSchemas.add(schema, { id, description });
  return schema;
};

// Strapi's `uid` attribute accepts these characters; editors may type their own slugs.
const SLUG_RE = /^[A-Za-z0-9\-_.~]+$/;
const NUMERIC_ID_RE = /^[1-9][0-9]{0,9}$/;
/** A numeric id, or a documentId (letters and digits, at least one letter). */
const USER_REF_RE = /^(?:[1-9][0-9]{0,9}|(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,64})$/;

const count = () => z.number().int().min(0);
const slug = () => z.string().regex(SLUG_RE);

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

export const imageSchema = named(
  z
    .object({
      url: z.string(),
      alternativeText: z.string().nullable(),
      width: z.number().int().nullable(),
      height: z.number().int().nullable(),
    })
    .strict(),
  'Image',
  'Badge artwork from the media library. `url` is relative to the Strapi server for local uploads.'
);

export const categorySchema = named(
  z
    .object({
      slug: slug(),
      name: z.string(),
      description: z.string().nullable(),
    })
    .strict(),
  'Category',
  'A group badges are shown in (Profile, Courses, Community, Engagement, or a custom one).'
);

export const memberSchema = named(
  z
    .object({
      id: z.number().int().min(1),
      documentId: z.string(),
      username: z.string(),
    })
    .strict(),
  'Member',
  'A member as the API shows them: never more than these three fields.'
);

export const progressSchema = named(
  z
    .object({
      current: count(),
      target: z.number().int().min(1),
      percent: z.number().int().min(0).max(100),
    })
    .strict(),
  'Progress',
  'How far a member is toward a badge they have not earned; `percent` is rounded down.'
);

export const badgeSchema = named(
  z
    .object({
      slug: slug(),
      name: z.string(),
      description: z.string().nullable(),
      image: imageSchema.nullable(),
      category: slug().nullable().describe('The category slug'),
      tier: z.enum(BADGE_TIERS),
      points: count(),
      secret: z.boolean(),
      repeatable: z.boolean(),
      criteriaText: z
        .string()
        .describe('What earns the badge, as a sentence ("Complete 5 lessons")'),
      earnedCount: count().describe('Members who hold the badge now'),
      rarity: z
        .number()
        .min(0)
        .max(1)
        .describe('Share of members who hold the badge (0–1), refreshed at most every minute'),
    })
    .strict(),
  'Badge',
  'A badge of the catalog. A secret badge appears only to a caller who has earned it.'
);

export const badgeStateSchema = named(
  badgeSchema.extend({
    earned: z.boolean(),
    earnedAt: z.iso
      .datetime()
      .nullable()
      .describe('When the member last earned it (repeatable badges can be earned again)'),
    timesEarned: count(),
    progress: progressSchema.nullable().describe('Null once earned'),
  }),
  'BadgeState',
  'A badge as one member stands with it: earned, or locked with progress.'
);

export const earnedBadgeSchema = named(
  z
    .object({
      slug: slug(),
      name: z.string(),
      description: z.string().nullable(),
      image: imageSchema.nullable(),
      category: slug().nullable(),
      tier: z.enum(BADGE_TIERS),
      points: count(),
      earnedAt: z.iso.datetime(),
      timesEarned: z.number().int().min(1),
      featured: z.boolean().describe('The member picked it with `PUT /me/featured`'),
    })
    .strict(),
  'EarnedBadge',
  'A badge a member holds, as shown on their card.'
);

export const streakSchema = named(
  z
    .object({
      current: count().describe('Days in the current run, 0 once it is broken'),
      longest: count(),
      lastActiveDate: z.iso
        .date()
        .nullable()
        .optional()
        .describe("The member's last active day, in their timezone; only to the member themself"),
      timezone: z
        .string()
        .optional()
        .describe("The member's timezone; only to the member themself"),
    })
    .strict(),
  'Streak',
  "The member's learning streak, as of now. Anyone else sees the counts alone: the day and " +
    'timezone would tell when and where the member is active.'
);

export const categoryAchievementsSchema = named(
  z
    .object({
      slug: slug(),
      name: z.string(),
      description: z.string().nullable(),
      badges: z.array(badgeStateSchema),
      secret: z
        .object({
          count: count().describe('Secret badges of this category not shown to the caller'),
          earned: count().describe('How many of those the member holds'),
        })
        .strict(),
    })
    .strict(),
  'CategoryAchievements',
  'One category of the achievements modal.'
);

export const configResponseSchema = named(
  z.object({ enabled: z.boolean(), card: cardSettingsSchema }).strict(),
  'Config',
  'Whether achievements are on, and how the profile card is placed.'
);

export const paginationSchema = named(
  z
    .object({
      page: z.number().int().min(1),
      pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE),
      pageCount: count(),
      total: count(),
    })
    .strict(),
  'Pagination',
  'Where this page is in the list.'
);

export const badgeListSchema = named(
  z
    .object({
      data: z.array(badgeSchema),
      meta: z
        .object({ categories: z.array(categorySchema), pagination: paginationSchema })
        .strict(),
    })
    .strict(),
  'BadgeList',
  'One page of the badge catalog, and every category.'
);

export const levelSchema = named(
  z
    .object({
      number: z.number().int().min(1).describe('1 for the first level'),
      name: z.string(),
      points: count().describe("The level's threshold"),
    })
    .strict(),
  'Level',
  'A named points threshold (Settings → Gamification → Points).'
);

export const cardSchema = named(
  z
    .object({
      enabled: z.boolean().describe('False when achievements or the card are switched off'),
      position: z.enum(CARD_POSITIONS),
      badgesToShow: z.number().int().min(1),
      user: memberSchema,
      badges: z
        .array(earnedBadgeSchema)
        .describe('At most badgesToShow: featured first, then highest tier, then most recent'),
      totalEarned: count(),
      totalAvailable: count(),
      points: count().describe("The member's points (the sum of their points entries)"),
      level: levelSchema,
    })
    .strict(),
  'Card',
  "A member's Achievements profile card."
);

export const preferencesSchema = named(
  z
    .object({
      featured: z.array(slug()).describe('Featured badge slugs, in order'),
      public: z.boolean(),
      email: z.boolean().describe('Email digests on (when the site sends them)'),
      language: z
        .enum(EMAIL_LANGUAGES)
        .nullable()
        .describe('The language of emails; null: the site default'),
      leaderboards: z.boolean().describe('Shown to others on leaderboards'),
    })
    .strict(),
  'Preferences',
  "The caller's own choices; only present when members read their own achievements."
);

export const memberAchievementsSchema = named(
  z
    .object({
      enabled: z.boolean(),
      user: memberSchema,
      categories: z.array(categoryAchievementsSchema),
      streak: streakSchema,
      points: count().describe("The member's points (the sum of their points entries)"),
      level: levelSchema,
      totalEarned: count(),
      totalAvailable: count(),
      preferences: preferencesSchema.optional(),
    })
    .strict(),
  'MemberAchievements',
  "Everything the achievements modal shows: each category's badges, the streak and points."
);

export const featuredResponseSchema = named(
  z.object({ badges: z.array(slug()) }).strict(),
  'FeaturedBadges',
  "The caller's featured badges, in order."
);

export const privacyResponseSchema = named(
  z.object({ public: z.boolean(), leaderboards: z.boolean() }).strict(),
  'Privacy',
  "Whether others can see the caller's card and achievements, and the caller on leaderboards."
);

export const emailPreferencesSchema = named(
  z
    .object({
      email: z.boolean().describe('Email digests on (when the site sends them)'),
      language: z
        .enum(EMAIL_LANGUAGES)
        .nullable()
        .describe('The language of emails; null: the site default'),
    })
    .strict(),
  'EmailPreferences',
  "The caller's email choices."
);

export const eventResultSchema = named(
  z.object({ accepted: z.boolean(), duplicate: z.boolean() }).strict(),
  'EventResult',
  '`accepted` is false while achievements are off; `duplicate` when the key was seen before.'
);

const instant = () => z.string().describe('ISO 8601 date-time (UTC)');

// Notifications: what a member is told about a change, written with the change itself.
export const NOTIFICATION_KINDS = [
  'achievement.earned',
  'achievement.revoked',
  'streak.milestone',
  'level.reached',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** Streak lengths (days) a member is told about; a freeze used is told too. */
export const STREAK_MILESTONES = [3, 7, 30, 100, 365] as const;
/** `GET /me/notifications` never returns more than this many per page. */
export const MAX_NOTIFICATIONS_PAGE = 100;
export const DEFAULT_NOTIFICATIONS_PAGE = 20;

export const notificationBadgeSchema = named(
  z
    .object({
      documentId: z.string(),
      slug: slug(),
      name: z.string(),
      description: z.string().nullable(),
      image: imageSchema.nullable(),
      tier: z.enum(BADGE_TIERS),
      points: count(),
      category: z.object({ slug: slug(), name: z.string() }).strict().nullable(),
    })
    .strict(),
  'NotificationBadge',
  'The badge as it was when the notification was written: enough to draw a toast without another request.'
);

export const notificationPayloadSchema = named(
  z
    .object({
      badge: notificationBadgeSchema.optional(),
      sequence: z.number().int().min(1).optional().describe('Which time (repeatable badges)'),
      earnedAt: instant().optional(),
      revokedAt: instant().optional(),
      reason: z.string().nullable().optional().describe('Why it was revoked'),
      streak: z
        .object({
          days: count().describe('The streak length now'),
          milestone: z.number().int().nullable().describe('The milestone reached, if any'),
          freezeUsed: z.boolean().describe('A freeze kept the streak alive'),
        })
        .strict()
        .optional(),
      level: z
        .object({
          number: z.number().int().min(1),
          name: z.string(),
          points: count().describe('Its threshold'),
        })
        .strict()
        .optional()
        .describe('The level reached (level.reached)'),
      totals: z
        .object({ badges: count(), points: count() })
        .strict()
        .describe("The member's badges held and points after the change"),
    })
    .strict(),
  'NotificationPayload',
  'What the notification reports; which fields are present depends on `kind`.'
);

export const notificationSchema = named(
  z
    .object({
      id: z.string().describe('The notification (a documentId)'),
      kind: z.enum(NOTIFICATION_KINDS),
      payload: notificationPayloadSchema,
      createdAt: instant(),
      seenAt: instant().nullable(),
    })
    .strict(),
  'Notification',
  'One thing the member was told. Only the member it is about can read it.'
);

export const notificationPageSchema = named(
  z
    .object({
      data: z.array(notificationSchema),
      nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page'),
    })
    .strict(),
  'NotificationPage',
  "A page of the caller's notifications, newest first."
);

export const notificationCountSchema = named(
  z.object({ unseen: count() }).strict(),
  'NotificationCount',
  "How many of the caller's notifications are not seen yet."
);

export const notificationsSeenSchema = named(
  z.object({ updated: count(), unseen: count() }).strict(),
  'NotificationsSeen',
  'How many notifications this call marked seen, and how many remain unseen.'
);

export const streamTicketSchema = named(
  z
    .object({
      ticket: z.string().describe('Pass as `?ticket=` to `GET /me/notifications/stream`, once'),
      expiresAt: instant().describe('The ticket is refused after this instant'),
    })
    .strict(),
  'StreamTicket',
  "A single-use, short-lived ticket that opens one stream of the caller's notifications."
);

// The export of a member's data (data protection): every row the plugin holds about them,
// as the database holds it (column for column, under the content type's attribute names).
export const MEMBER_EXPORT_SCHEMA = 'strapi-plugin-achievements/member-export' as const;
/** Bumped on any change of the document's shape that is not an added optional field. */
export const MEMBER_EXPORT_VERSION = 2 as const;

const rowBase = {
  id: z.number().int(),
  documentId: z.string(),
  createdAt: instant().nullable(),
  updatedAt: instant().nullable(),
};

export const exportedEventSchema = named(
  z.looseObject({
    ...rowBase,
    key: z.string(),
    type: z.string(),
    userId: z.number().int().describe('The member the fact is about (credited)'),
    actorId: z
      .number()
      .int()
      .nullable()
      .describe('The member who caused it, when someone else; negative: an erased member'),
    subject: z.string().nullable(),
    occurredAt: instant(),
    processedAt: instant().nullable(),
    source: z.string().nullable(),
    data: z.unknown().describe('The fact as recorded (JSON)'),
  }),
  'ExportedEvent',
  'One ledger row. Other members appear only as ids.'
);

export const exportedAchievementSchema = named(
  z.looseObject({
    ...rowBase,
    userId: z.number().int(),
    badgeId: z.number().int(),
    sequence: z.number().int(),
    earnedAt: instant(),
    sourceEvent: z.string().nullable(),
    evidence: z.unknown(),
    revokedAt: instant().nullable(),
    revokeReason: z.string().nullable(),
    revokedBy: z.string().nullable(),
    awardedBy: z.string().nullable(),
  }),
  'ExportedAchievement',
  'One achievement row, revoked ones included (with their reason).'
);

export const exportedProgressSchema = named(
  z.looseObject({
    ...rowBase,
    userId: z.number().int(),
    badgeId: z.number().int(),
    current: z.number().int().nullable(),
    target: z.number().int().nullable(),
  }),
  'ExportedProgress',
  'How far the member is toward one badge.'
);

export const exportedStreakSchema = named(
  z.looseObject({
    ...rowBase,
    userId: z.number().int(),
    current: z.number().int().nullable(),
    longest: z.number().int().nullable(),
    lastActiveAt: instant().nullable(),
    lastActiveDay: z.string().nullable(),
    timezone: z.string().nullable(),
  }),
  'ExportedStreak',
  "The member's streak row."
);

export const exportedPreferenceSchema = named(
  z.looseObject({
    ...rowBase,
    userId: z.number().int(),
    featured: z.unknown().describe('Featured badge ids, in order'),
    public: z.boolean().nullable(),
  }),
  'ExportedPreference',
  "The member's preference row."
);

export const exportedDigestSchema = named(
  z.looseObject({
    ...rowBase,
    userId: z.number().int(),
    notificationIds: z.unknown().describe('The notifications (row ids) the email reported'),
    status: z.string().describe('pending, sent, failed or skipped'),
    sentAt: instant().nullable(),
    unsubscribedAt: instant().nullable().describe('When its unsubscribe link was used'),
  }),
  'ExportedDigest',
  'An email digest sent (or to be sent) to the member.'
);

export const exportedNotificationSchema = named(
  z.looseObject({
    ...rowBase,
    userId: z.number().int(),
    kind: z.string(),
    payload: z.unknown().describe('What the notification reported (see NotificationPayload)'),
    dedupeKey: z.string(),
    seenAt: instant().nullable(),
    emailedAt: instant().nullable(),
  }),
  'ExportedNotification',
  'A notification the member was sent.'
);

export const exportedCredentialSchema = named(
  z.looseObject({
    ...rowBase,
    achievementDocumentId: z.string().describe('The achievement it attests'),
    userId: z.number().int(),
    badgeId: z.number().int(),
    sequence: z.number().int(),
    statusListId: z.string(),
    statusIndex: z.number().int(),
    keyId: z.string().describe('The key that signed it'),
    document: z
      .looseObject({ id: z.string() })
      .describe('The signed OpenBadgeCredential (JSON-LD with its proof), as issued'),
    jwt: z.string().describe('The same credential as a signed JWT (VC-JWT)'),
    issuedAt: instant(),
    revokedAt: instant().nullable(),
    revokeReason: z.string().nullable(),
    url: z.string().describe("The credential's id: where it is fetched (its `document.id`)"),
    status: z
      .enum(['valid', 'revoked'])
      .describe('What the published status list says of it now (bits set are never cleared)'),
  }),
  'ExportedCredential',
  'One Open Badges credential issued to the member: the row as stored, plus its id URL and ' +
    'its status in the published status list.'
);

export const exportedPointsEntrySchema = named(
  z.looseObject({
    ...rowBase,
    userId: z.number().int(),
    amount: z.number().int().describe('Signed: a correction is a negative entry'),
    source: z.enum(['badge', 'event', 'admin']),
    sourceKey: z.string(),
    type: z.string().nullable(),
    subject: z.string().nullable(),
    scope: z.string().nullable(),
    occurredAt: instant(),
    reason: z.string().nullable(),
  }),
  'ExportedPointsEntry',
  'A points entry of the member (append-only).'
);

export const periodSchema = named(
  z
    .object({
      period: z.enum(LEADERBOARD_PERIODS),
      label: z.string().describe('`2026-W49`, `2026-12` or `all`'),
      from: instant().nullable().describe('First instant, inclusive (null: all time)'),
      to: instant().nullable().describe('First instant of the next period (null: all time)'),
      timezone: z.string().describe("The board's timezone (the site's default)"),
    })
    .strict(),
  'Period',
  "A calendar period in the site's timezone: everyone on a board shares its bounds."
);

export const leaderboardEntrySchema = named(
  z
    .object({
      rank: z.number().int().min(1).describe('Competition rank: 1, 1, 1, 4'),
      user: memberSchema,
      points: count().describe('Points in the period'),
      level: levelSchema,
    })
    .strict(),
  'LeaderboardEntry',
  'One member on a board; equal points are listed in the order they were reached.'
);

export const leaderboardSchema = named(
  z
    .object({
      board: z.string(),
      period: periodSchema,
      data: z.array(leaderboardEntrySchema),
      pagination: paginationSchema,
    })
    .strict(),
  'Leaderboard',
  'A page of a board, best first. Members who opted out, made their profile private, are ' +
    'blocked or have an excluded role are not listed.'
);

export const rankSchema = named(
  z
    .object({
      board: z.string(),
      period: periodSchema,
      user: memberSchema,
      rank: z.number().int().min(1).nullable().describe('Null without points in the period'),
      points: count().describe('Your points in the period'),
      of: count().describe('How many members the board ranks (you included)'),
      level: levelSchema.describe('Your level (from all your points)'),
      nextLevel: z
        .object({ name: z.string(), points: count() })
        .strict()
        .nullable()
        .describe('The next level and its threshold; null at the top'),
    })
    .strict(),
  'Rank',
  'Your place on a board, even outside the top of it and when you are hidden from others.'
);

export const standingSchema = named(
  rankSchema.omit({ user: true }),
  'Standing',
  "A member's place on one board in one period (a `Rank` without the member, whom the export names once)."
);

export const memberExportSchema = named(
  z
    .object({
      schema: z.literal(MEMBER_EXPORT_SCHEMA),
      version: z.literal(MEMBER_EXPORT_VERSION),
      exportedAt: instant(),
      member: memberSchema,
      events: z.array(exportedEventSchema).describe("The member's own facts (ledger)"),
      actedIn: z
        .array(exportedEventSchema)
        .describe('Facts about other members that this member caused (a reaction they gave)'),
      achievements: z.array(exportedAchievementSchema),
      progress: z.array(exportedProgressSchema),
      streak: exportedStreakSchema.nullable(),
      preferences: exportedPreferenceSchema.nullable(),
      notifications: z.array(exportedNotificationSchema).describe('Oldest first'),
      credentials: z
        .array(exportedCredentialSchema)
        .describe(
          'Open Badges credentials issued to the member, revoked ones included; oldest first'
        ),
      digests: z.array(exportedDigestSchema).describe('Email digests, oldest first'),
      pointsEntries: z.array(exportedPointsEntrySchema).describe('Oldest first'),
      points: count().describe('Points now: the sum of the points entries (never below 0)'),
      level: levelSchema.describe('The level those points reach'),
      standings: z
        .array(standingSchema)
        .describe(
          "The member's place on each board they have points on (the site, and each course), " +
            'this week, this month and of all time, as of `exportedAt`'
        ),
      badges: z
        .array(z.object({ id: z.number().int(), slug: slug(), name: z.string() }).strict())
        .describe('The badges the rows above name, to read their ids'),
    })
    .strict(),
  'MemberExport',
  'Every row the plugin holds about one member (GDPR art. 15 and 20). Versioned: `schema` and ' +
    '`version` name this shape. Streamed: a member with many facts is never held in memory whole.'
);

export const errorSchema = named(
  z
    .object({
      data: z.null(),
      error: z.looseObject({
        status: z.number().int(),
        name: z.string(),
        message: z.string(),
        details: z.unknown().optional(),
      }),
    })
    .strict(),
  'Error',
  "Strapi's error body. A 400 names the offending parameter or field in `message` and `details.errors[].path`."
);

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

const single = (what: string) =>
  z.string({
    error: (issue) => (issue.input === undefined ? 'is required' : `must be a single ${what}`),
  });

export const wholeNumber = (min: number, max: number) => {
  const message = `must be a whole number between ${min} and ${max}`;
  return single('whole number')
    .regex(/^[0-9]{1,9}$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(max, { error: message }));
};

/**
 * A row id given back as a cursor (`cursor`, `lastEventId`): the plugin's id columns are 32-bit
 * integers on PostgreSQL and MariaDB, which refuse a larger number in a comparison.
 */
export const rowCursor = (what: string, message: string, min = 1) =>
  single(what)
    .regex(/^(0|[1-9][0-9]{0,9})$/, { error: message })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: message }).max(MAX_ROW_ID, { error: message }));

/** `:userId`: the member's numeric id or their documentId. */
export const userRefSchema = single('id or documentId')
  .regex(USER_REF_RE, { error: 'must be a member id or documentId' })
  .refine((value) => !NUMERIC_ID_RE.test(value) || Number(value) <= MAX_ROW_ID, {
    error: `must be a member id (at most ${MAX_ROW_ID}) or documentId`,
  })
  .describe("The member's numeric id or documentId");

export const userParamsSchema = z.object({ userId: userRefSchema }).strict();

/** Routes without query parameters refuse any, so a typo is an error rather than ignored. */
export const noQuerySchema = z.object({}).strict();

export const badgesQuerySchema = z
  .object({
    category: single('category slug')
      .max(255, { error: 'must be a category slug' })
      .regex(SLUG_RE, { error: 'must be a category slug' })
      .optional()
      .describe('Only badges of this category (its slug)'),
    page: wholeNumber(1, MAX_PAGE).optional().describe('Page number, from 1'),
    pageSize: wholeNumber(1, MAX_PAGE_SIZE)
      .optional()
      .describe(`Badges per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})`),
  })
  .strict();

export const featuredBodySchema = named(
  z
    .object({
      badges: z
        .array(
          z
            .string({ error: 'must be a badge slug' })
            .max(255, { error: 'must be a badge slug' })
            .regex(SLUG_RE, { error: 'must be a badge slug' }),
          { error: 'must be a list of badge slugs' }
        )
        .max(20, { error: 'must list at most 20 badges' }),
    })
    .strict(),
  'FeaturedBadgesInput',
  'Badges the caller has earned, shown first on their card: at most the card’s badgesToShow.'
);

export const privacyBodySchema = named(
  z
    .object({
      public: z.boolean({ error: 'must be true or false' }).optional(),
      leaderboards: z.boolean({ error: 'must be true or false' }).optional(),
    })
    .strict()
    .superRefine((b, ctx) => {
      if (b.public === undefined && b.leaderboards === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['public'],
          message: 'must be true or false (or give leaderboards: true or false)',
        });
    }),
  'PrivacyInput',
  '`public: false` hides the caller’s card and achievements from everyone else; ' +
    '`leaderboards: false` hides the caller from leaderboards (they still see their own rank).'
);

export const preferencesBodySchema = named(
  z
    .object({
      email: z.boolean({ error: 'must be true or false' }).optional(),
      language: z
        .enum(EMAIL_LANGUAGES, { error: `must be one of ${EMAIL_LANGUAGES.join(', ')}, or null` })
        .nullable()
        .optional(),
    })
    .strict()
    .refine((v) => v.email !== undefined || v.language !== undefined, {
      error: 'must set email or language',
    }),
  'PreferencesInput',
  '`email: false` stops email digests to the caller, `true` starts them again; `language` picks ' +
    'the language of emails (`null`: the site default).'
);

/** The one-click unsubscribe link's query: its signed token. */
export const unsubscribeQuerySchema = z
  .object({
    token: single('token')
      .max(1000, { error: 'must be an unsubscribe token' })
      .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, { error: 'must be an unsubscribe token' }),
  })
  .strict();

// Leaderboards: a board (the site, or a course) × a calendar period in the site's timezone.
/** A course's board: this prefix and the course's documentId (the site's board is `site`). */
export const COURSE_BOARD_PREFIX = 'course:';
const BOARD_RE = /^(?:site|course:[A-Za-z0-9]{1,64})$/;

const boardSchema = () =>
  single('board')
    .regex(BOARD_RE, { error: 'must be "site" or "course:<documentId>"' })
    .describe('`site`, or `course:<documentId>` for one course');
const periodQuery = () =>
  z
    .enum(LEADERBOARD_PERIODS, { error: `must be one of ${LEADERBOARD_PERIODS.join(', ')}` })
    .optional()
    .describe('Calendar week (ISO, from Monday), month, or all time; default week');
const atQuery = () =>
  single('period')
    .regex(/^[0-9]{4}-(?:W[0-9]{2}|[0-9]{2})$/, {
      error: 'must be a week such as 2026-W49 or a month such as 2026-12',
    })
    .optional()
    .describe(
      'A past or future period (`2026-W49` for a week, `2026-12` for a month); default: now'
    );

export const leaderboardParamsSchema = z.object({ board: boardSchema() }).strict();

export const leaderboardQuerySchema = z
  .object({
    period: periodQuery(),
    at: atQuery(),
    page: wholeNumber(1, MAX_PAGE).optional().describe('Page number, from 1'),
    pageSize: wholeNumber(1, MAX_PAGE_SIZE)
      .optional()
      .describe(
        `Members per page (default ${DEFAULT_LEADERBOARD_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})`
      ),
  })
  .strict();

export const rankQuerySchema = z
  .object({ board: boardSchema().optional(), period: periodQuery(), at: atQuery() })
  .strict();

export const notificationsQuerySchema = z
  .object({
    unseen: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((v) => v === 'true')
      .pipe(z.boolean())
      .optional()
      .describe('Only notifications not seen yet'),
    limit: wholeNumber(1, MAX_NOTIFICATIONS_PAGE)
      .optional()
      .describe(
        `Notifications per page (default ${DEFAULT_NOTIFICATIONS_PAGE}, at most ${MAX_NOTIFICATIONS_PAGE})`
      ),
    cursor: rowCursor('cursor', 'must be a cursor from nextCursor')
      .optional()
      .describe('The nextCursor of the previous page'),
  })
  .strict();

export const notificationsSeenBodySchema = named(
  z.union(
    [
      z
        .object({
          ids: z
            .array(z.string().regex(/^[A-Za-z0-9]{1,64}$/, { error: 'must be notification ids' }), {
              error: 'must be a list of notification ids',
            })
            .min(1, { error: 'must list at least one notification id' })
            .max(MAX_NOTIFICATIONS_PAGE, {
              error: `must list at most ${MAX_NOTIFICATIONS_PAGE} notification ids`,
            }),
        })
        .strict(),
      z.object({ all: z.literal(true, { error: 'must be true' }) }).strict(),
    ],
    { error: 'must be { "ids": [...] } or { "all": true }' }
  ),
  'NotificationsSeenInput',
  'Marks some of the caller’s notifications seen (`ids`), or all of them (`all: true`). Ids of other members’ notifications are ignored.'
);

export const notificationStreamQuerySchema = z
  .object({
    ticket: single('ticket')
      .max(200, { error: 'is not a stream ticket' })
      .optional()
      .describe(
        'From `POST /me/notifications/stream-ticket`: single-use, valid for a minute. Not needed ' +
          'when the request carries the member’s JWT (clients that can send headers).'
      ),
    lastEventId: rowCursor('lastEventId', 'must be the id of an event of this stream', 0)
      .optional()
      .describe(
        'Resume after this event (its `id:`), as the `Last-Event-ID` header does: what you were ' +
          'told since is sent first. A new EventSource cannot send that header, hence this.'
      ),
  })
  .strict();

/** Documents `POST /events`; the events service validates it (see the engine). */
export const eventBodySchema = named(
  z
    .object({
      type: z.string().describe('A known event type, e.g. "lesson.watched"'),
      userId: z
        .union([z.number().int().min(1), z.string()])
        .describe("The member's id, or documentId"),
      key: z.string().min(1).max(255).describe('Idempotency key: a replay is a no-op'),
      occurredAt: z
        .union([z.iso.datetime({ offset: true }), z.number().int()])
        .optional()
        .describe(
          "When it happened (default: now): an ISO 8601 date-time or epoch milliseconds, from the plugin config's oldestEvent (default 1990-01-01) to 5 minutes from now; otherwise 400 naming occurredAt"
        ),
      actorId: z.number().int().min(1).nullable().optional(),
      subject: z.string().max(255).nullable().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
  'EventInput',
  'A domain fact another back-end owns.'
);

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type Image = z.output<typeof imageSchema>;
export type Category = z.output<typeof categorySchema>;
export type Member = z.output<typeof memberSchema>;
export type Progress = z.output<typeof progressSchema>;
export type Badge = z.output<typeof badgeSchema>;
export type BadgeState = z.output<typeof badgeStateSchema>;
export type EarnedBadge = z.output<typeof earnedBadgeSchema>;
export type Streak = z.output<typeof streakSchema>;
export type CategoryAchievements = z.output<typeof categoryAchievementsSchema>;
export type ConfigResponse = z.output<typeof configResponseSchema>;
export type Pagination = z.output<typeof paginationSchema>;
export type BadgeList = z.output<typeof badgeListSchema>;
export type Card = z.output<typeof cardSchema>;
export type Preferences = z.output<typeof preferencesSchema>;
export type MemberAchievements = z.output<typeof memberAchievementsSchema>;
export type FeaturedResponse = z.output<typeof featuredResponseSchema>;
export type PrivacyResponse = z.output<typeof privacyResponseSchema>;
export type EventResult = z.output<typeof eventResultSchema>;
export type MemberExport = z.output<typeof memberExportSchema>;
export type ApiError = z.output<typeof errorSchema>;
export type BadgesQuery = z.output<typeof badgesQuerySchema>;
export type UserParams = z.output<typeof userParamsSchema>;
export type FeaturedBody = z.output<typeof featuredBodySchema>;
export type PrivacyBody = z.output<typeof privacyBodySchema>;
export type PreferencesBody = z.output<typeof preferencesBodySchema>;
export type PreferencesResponse = z.output<typeof emailPreferencesSchema>;
export type EventBody = z.input<typeof eventBodySchema>;
export type Level = z.output<typeof levelSchema>;
export type Leaderboard = z.output<typeof leaderboardSchema>;
export type LeaderboardEntry = z.output<typeof leaderboardEntrySchema>;
export type Rank = z.output<typeof rankSchema>;
export type LeaderboardQuery = z.output<typeof leaderboardQuerySchema>;
export type RankQuery = z.output<typeof rankQuerySchema>;
export type NotificationPayload = z.output<typeof notificationPayloadSchema>;
export type Notification = z.output<typeof notificationSchema>;
export type NotificationPage = z.output<typeof notificationPageSchema>;
export type NotificationCount = z.output<typeof notificationCountSchema>;
export type NotificationsSeen = z.output<typeof notificationsSeenSchema>;
export type NotificationsQuery = z.output<typeof notificationsQuerySchema>;
export type NotificationsSeenBody = z.output<typeof notificationsSeenBodySchema>;
export type StreamTicket = z.output<typeof streamTicketSchema>;
export type NotificationStreamQuery = z.output<typeof notificationStreamQuerySchema>;

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

export interface ApiResponse {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
}

export interface ApiOperation {
  operationId: string;
  method: 'GET' | 'PUT' | 'POST';
  /** Koa-style path under `/api/achievements` (`:param`). */
  path: string;
  /** The users-permissions action, or null for the open documents (no authentication). */
  action: (typeof CONTENT_API_ACTIONS)[keyof typeof CONTENT_API_ACTIONS] | null;
  /** Who may call it: anonymous callers (Public role), signed-in members, API tokens. */
  callers: Array<'public' | 'member' | 'api-token'>;
  summary: string;
  description: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Sends ETag and Cache-Control, and answers 304 to a matching If-None-Match. */
  conditional: boolean;
  responses: Record<number, ApiResponse>;
}

// ---------------------------------------------------------------------------------------------
// Open Badges 3.0 credentials (issue 14): open routes, verifiers have no account
// ---------------------------------------------------------------------------------------------

const lowerId = (what: string) =>
  single(what).regex(/^[a-z0-9]{1,64}$/, {
    error: `must be ${what} (lower-case letters and digits)`,
  });

export const credentialParamsSchema = z
  .object({ achievementDocumentId: lowerId("an achievement's documentId") })
  .strict();
export const credentialQuerySchema = z
  .object({
    issue: single('issue id')
      .regex(/^[a-f0-9]{24}$/, { error: 'must be an issue id (24 hex digits)' })
      .optional()
      .describe('One issue of the credential (its `id` names it); default: the one in force'),
  })
  .strict();
export const keyParamsSchema = z
  .object({ kid: single('key id').regex(/^[a-z0-9-]{1,80}$/, { error: 'must be a key id' }) })
  .strict();
export const statusListParamsSchema = z
  .object({
    id: single('status list id').regex(/^[a-f0-9]{16}$/, { error: 'must be a status list id' }),
  })
  .strict();
export const badgeAchievementParamsSchema = z
  .object({ badgeDocumentId: lowerId("a badge's documentId") })
  .strict();

export const memberCredentialSchema = z.object({
  badge: z.string().describe('The badge slug'),
  sequence: z.number().int(),
  earnedAt: z.string(),
  achievement: z.object({ documentId: z.string() }),
  url: z.string().describe('Where the credential is served'),
});
export const memberCredentialsSchema = z.object({ data: z.array(memberCredentialSchema) });

const error = (description: string): ApiResponse => ({ description, schema: errorSchema });
const notModified: ApiResponse = { description: 'Not modified: the If-None-Match ETag matches' };
const badRequest = error('A parameter or field is invalid; the message names it');
const forbidden = error("The caller's role (Users & Permissions) lacks this action");
const notFound = error('No such member, a blocked one, or one who made their profile private');
const unauthorized = error('Not signed in as a member (or an invalid token)');

export const API_OPERATIONS: ApiOperation[] = [
  {
    operationId: 'getConfig',
    method: 'GET',
    path: '/config',
    action: CONTENT_API_ACTIONS.config,
    callers: ['public', 'member', 'api-token'],
    summary: 'Achievements and profile card settings',
    description: 'What a frontend needs before drawing the card: is it on, where, how many badges.',
    conditional: true,
    responses: {
      200: { description: 'The settings', schema: configResponseSchema },
      304: notModified,
      403: forbidden,
    },
  },
  {
    operationId: 'listBadges',
    method: 'GET',
    path: '/badges',
    action: CONTENT_API_ACTIONS.badges,
    callers: ['public', 'member', 'api-token'],
    summary: 'The badge catalog',
    description:
      'Enabled badges in category order, with how many members hold each and its rarity. Secret ' +
      'badges appear only to a member who has earned them. Empty while achievements are off.',
    query: badgesQuerySchema,
    conditional: true,
    responses: {
      200: { description: 'One page of badges', schema: badgeListSchema },
      304: notModified,
      400: badRequest,
      403: forbidden,
    },
  },
  {
    operationId: 'getMemberCard',
    method: 'GET',
    path: '/users/:userId/card',
    action: CONTENT_API_ACTIONS.card,
    callers: ['public', 'member', 'api-token'],
    summary: "A member's profile card",
    description:
      'At most badgesToShow earned badges: featured first, then highest tier, then most recent. ' +
      'A secret badge is listed only to a caller who has earned it too.',
    params: userParamsSchema,
    query: noQuerySchema,
    conditional: true,
    responses: {
      200: { description: 'The card', schema: cardSchema },
      304: notModified,
      400: badRequest,
      403: forbidden,
      404: notFound,
    },
  },
  {
    operationId: 'getMemberAchievements',
    method: 'GET',
    path: '/users/:userId',
    action: CONTENT_API_ACTIONS.user,
    callers: ['public', 'member', 'api-token'],
    summary: "A member's achievements (the modal)",
    description:
      'Every category with every badge the caller may see, earned or locked with progress; ' +
      'secret badges the caller has not earned only as a count. Revoked achievements are not shown.',
    params: userParamsSchema,
    query: noQuerySchema,
    conditional: true,
    responses: {
      200: { description: 'The achievements', schema: memberAchievementsSchema },
      304: notModified,
      400: badRequest,
      403: forbidden,
      404: notFound,
    },
  },
  {
    operationId: 'getMyAchievements',
    method: 'GET',
    path: '/me',
    action: CONTENT_API_ACTIONS.me,
    callers: ['member'],
    summary: "The caller's own achievements",
    description: 'The same as `/users/{userId}` for the signed-in member, plus their preferences.',
    query: noQuerySchema,
    conditional: true,
    responses: {
      200: { description: 'The achievements', schema: memberAchievementsSchema },
      304: notModified,
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'setFeaturedBadges',
    method: 'PUT',
    path: '/me/featured',
    action: CONTENT_API_ACTIONS.featured,
    callers: ['member'],
    summary: 'Choose the badges shown first on your card',
    description: 'Only badges you hold, at most the card’s badgesToShow; `[]` clears the choice.',
    query: noQuerySchema,
    body: featuredBodySchema,
    conditional: false,
    responses: {
      200: { description: 'Saved', schema: featuredResponseSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'setPrivacy',
    method: 'PUT',
    path: '/me/privacy',
    action: CONTENT_API_ACTIONS.privacy,
    callers: ['member'],
    summary: 'Show or hide your card, achievements and leaderboard entries',
    description:
      'With `public: false` everyone else gets 404 for your card and achievements (and you leave ' +
      'leaderboards); with `leaderboards: false` others no longer see you on leaderboards.',
    query: noQuerySchema,
    body: privacyBodySchema,
    conditional: false,
    responses: {
      200: { description: 'Saved', schema: privacyResponseSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'setEmailPreferences',
    method: 'PUT',
    path: '/me/preferences',
    action: CONTENT_API_ACTIONS.preferences,
    callers: ['member'],
    summary: 'Turn email digests on or off, choose their language',
    description:
      'Email digests are sent only when the site turned them on (Settings → Gamification → ' +
      'Notifications); this is the member’s own switch, and the one-click unsubscribe link in ' +
      'every digest turns it off too.',
    query: noQuerySchema,
    body: preferencesBodySchema,
    conditional: false,
    responses: {
      200: { description: 'Saved', schema: emailPreferencesSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'getLeaderboard',
    method: 'GET',
    path: '/leaderboards/:board',
    action: CONTENT_API_ACTIONS.leaderboard,
    callers: ['public', 'member', 'api-token'],
    summary: 'A leaderboard',
    description:
      'The members with the most points on a board (`site` or `course:<documentId>`) in a ' +
      "calendar period of the site's timezone. Competition ranking; ties in the order reached.",
    params: leaderboardParamsSchema,
    query: leaderboardQuerySchema,
    conditional: true,
    responses: {
      200: { description: 'A page of the board', schema: leaderboardSchema },
      304: notModified,
      400: badRequest,
      403: forbidden,
    },
  },
  {
    operationId: 'getMyRank',
    method: 'GET',
    path: '/me/rank',
    action: CONTENT_API_ACTIONS.rank,
    callers: ['member'],
    summary: 'Your rank on a board',
    description:
      'Your rank, points and level on a board (default `site`) and period (default week), ' +
      'also outside the top of it and when you are hidden from others.',
    query: rankQuerySchema,
    conditional: true,
    responses: {
      200: { description: 'Your standing', schema: rankSchema },
      304: notModified,
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'exportMyData',
    method: 'GET',
    path: '/me/export',
    action: CONTENT_API_ACTIONS.export,
    callers: ['member'],
    summary: 'Download every row the plugin holds about you',
    description:
      'One JSON document (`MemberExport`, versioned) with your facts, achievements (revoked ones ' +
      'too), progress, streak, preferences, notifications, credentials (with their status) and ' +
      'points; other members appear only as ids. ' +
      'Streamed, sent as an attachment.',
    query: noQuerySchema,
    conditional: false,
    responses: {
      200: { description: 'The export', schema: memberExportSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'listMyNotifications',
    method: 'GET',
    path: '/me/notifications',
    action: CONTENT_API_ACTIONS.notifications,
    callers: ['member'],
    summary: 'Your notifications, newest first',
    description:
      'What you were told: badges earned and revoked, streak milestones. Each payload carries ' +
      'what a toast shows (badge name, artwork, points, your new totals). Cursor pagination: ' +
      'pass `nextCursor` back as `cursor`.',
    query: notificationsQuerySchema,
    conditional: false,
    responses: {
      200: { description: 'A page of notifications', schema: notificationPageSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'countMyNotifications',
    method: 'GET',
    path: '/me/notifications/count',
    action: CONTENT_API_ACTIONS.notificationsCount,
    callers: ['member'],
    summary: 'How many of your notifications are unseen',
    description: 'The number a bell shows.',
    query: noQuerySchema,
    conditional: false,
    responses: {
      200: { description: 'The unseen count', schema: notificationCountSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'markMyNotificationsSeen',
    method: 'POST',
    path: '/me/notifications/seen',
    action: CONTENT_API_ACTIONS.notificationsSeen,
    callers: ['member'],
    summary: 'Mark notifications seen',
    description:
      '`{ "ids": [...] }` marks those (ids of notifications that are not yours change nothing); ' +
      '`{ "all": true }` marks every one.',
    query: noQuerySchema,
    body: notificationsSeenBodySchema,
    conditional: false,
    responses: {
      200: { description: 'Marked', schema: notificationsSeenSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'getMyNotificationStreamTicket',
    method: 'POST',
    path: '/me/notifications/stream-ticket',
    action: CONTENT_API_ACTIONS.notificationsStreamTicket,
    callers: ['member'],
    summary: 'A ticket for your notification stream',
    description:
      'An EventSource cannot send an Authorization header: trade your JWT for a ticket here, ' +
      'then open `GET /me/notifications/stream?ticket=…`. A ticket opens one stream, within a ' +
      'minute, on any process of the app; ask for a new one to reconnect.',
    query: noQuerySchema,
    conditional: false,
    responses: {
      200: { description: 'The ticket', schema: streamTicketSchema },
      400: badRequest,
      401: unauthorized,
      403: forbidden,
    },
  },
  {
    operationId: 'streamMyNotifications',
    method: 'GET',
    path: '/me/notifications/stream',
    action: CONTENT_API_ACTIONS.notificationsStream,
    callers: ['public', 'member'],
    summary: 'Your notifications as they happen (Server-Sent Events)',
    description:
      'Opened with a ticket (`?ticket=`, so a browser EventSource can use it; granted to Public ' +
      'for that reason, the ticket names the member) or with your JWT. Each new notification ' +
      'arrives within a second as an event named after its kind (`achievement.earned`, ' +
      '`achievement.revoked`, `streak.milestone`) whose data is a `Notification` and whose ' +
      '`id:` is a cursor: reconnect with it (`Last-Event-ID` or `?lastEventId=`) to get what ' +
      'you missed. A comment line (`: heartbeat`) comes every 25 seconds. The stream ends when ' +
      'Strapi stops; reconnect with a new ticket.',
    query: notificationStreamQuerySchema,
    conditional: false,
    responses: {
      200: { description: 'The event stream', contentType: 'text/event-stream' },
      400: badRequest,
      401: error('No ticket, or a ticket that is not valid, expired or used already'),
      403: error('An API token (not a member), or the role lacks this action'),
    },
  },
  {
    operationId: 'ingestEvent',
    method: 'POST',
    path: '/events',
    action: CONTENT_API_ACTIONS.events,
    callers: ['api-token'],
    summary: 'Push a domain event (API tokens only)',
    description: 'Records the fact in the ledger; a replayed key is a no-op.',
    body: eventBodySchema,
    conditional: false,
    responses: {
      202: { description: 'Recorded (or a duplicate)', schema: eventResultSchema },
      400: badRequest,
      401: unauthorized,
      403: error('Not an API token, or the token lacks this action'),
      404: error('No such member'),
    },
  },
  {
    operationId: 'getOpenApiDocument',
    method: 'GET',
    path: '/openapi.json',
    action: null,
    callers: ['public', 'member', 'api-token'],
    summary: 'This document',
    description: 'The OpenAPI 3.1 description of the plugin’s content API.',
    conditional: true,
    responses: {
      200: { description: 'The OpenAPI document', contentType: 'application/json' },
      304: notModified,
    },
  },
  {
    operationId: 'getCardComponent',
    method: 'GET',
    path: '/card.js',
    action: null,
    callers: ['public', 'member', 'api-token'],
    summary: 'The <achievements-card> web component',
    description:
      'The ES module that defines `<achievements-card>`, for pages that do not bundle ' +
      '`strapi-plugin-achievements/card` themselves.',
    conditional: true,
    responses: {
      200: { description: 'The ES module', contentType: 'text/javascript' },
      304: notModified,
    },
  },
  ...unsubscribeOperations(),
  {
    operationId: 'getNotifierComponent',
    method: 'GET',
    path: '/notifier.js',
    action: null,
    callers: ['public', 'member', 'api-token'],
    summary: 'The <achievements-notifier> web component',
    description:
      'The ES module that defines `<achievements-notifier>` (a bell, a list and live toasts of ' +
      'the signed-in member’s notifications), for pages that do not bundle ' +
      '`strapi-plugin-achievements/notifier` themselves.',
    conditional: true,
    responses: {
      200: { description: 'The ES module', contentType: 'text/javascript' },
      304: notModified,
    },
  },
  {
    operationId: 'getLeaderboardComponent',
    method: 'GET',
    path: '/leaderboard.js',
    action: null,
    callers: ['public', 'member', 'api-token'],
    summary: 'The <achievements-leaderboard> web component',
    description:
      'The ES module that defines `<achievements-leaderboard>` (a board by calendar period, ' +
      'with the signed-in member’s rank), for pages that do not bundle ' +
      '`strapi-plugin-achievements/leaderboard` themselves.',
    conditional: true,
    responses: {
      200: { description: 'The ES module', contentType: 'text/javascript' },
      304: notModified,
    },
  },
  {
    operationId: 'getComponentsSharedModule',
    method: 'GET',
    path: '/achievements-shared.js',
    action: null,
    callers: ['public', 'member', 'api-token'],
    summary: 'The module the web components share',
    description:
      'Theme, element building and language helpers imported by `card.js`, `notifier.js` and ' +
      '`leaderboard.js` as `./achievements-shared.js`.',
    conditional: true,
    responses: {
      200: { description: 'The ES module', contentType: 'text/javascript' },
      304: notModified,
    },
  },
  ...credentialOperations(),
];

/** The one-click unsubscribe link of every digest (RFC 8058): open, the signed token is the key. */
function unsubscribeOperations(): ApiOperation[] {
  const page = (description: string): ApiResponse => ({ description, contentType: 'text/html' });
  const refusals = {
    400: page('The token is missing, incomplete or altered'),
    404: page('The email the token belongs to is gone (its member was erased)'),
    410: page('The token expired, or was already used'),
  };
  return [
    {
      operationId: 'unsubscribePage',
      method: 'GET',
      path: '/unsubscribe',
      action: null,
      callers: ['public', 'member'],
      summary: 'The unsubscribe confirmation page',
      description:
        'Where the link in a digest leads: a page (in the email’s language) with a button that ' +
        'POSTs the one-click request. Changes nothing by itself (mail scanners follow links).',
      query: unsubscribeQuerySchema,
      conditional: false,
      responses: { 200: page('The confirmation page'), ...refusals },
    },
    {
      operationId: 'unsubscribe',
      method: 'POST',
      path: '/unsubscribe',
      action: null,
      callers: ['public', 'member'],
      summary: 'One-click unsubscribe (RFC 8058)',
      description:
        'Mail clients POST `List-Unsubscribe=One-Click` here. Turns email digests off for the ' +
        'member the email was sent to. A token works once and expires after 60 days.',
      query: unsubscribeQuerySchema,
      conditional: false,
      responses: { 200: page('Unsubscribed'), ...refusals },
    },
  ];
}

/** The credential routes: open (no users-permissions action), see the README's "Credentials". */
function credentialOperations(): ApiOperation[] {
  const off = error('Credentials are switched off, or no such item');
  const open = (
    operationId: string,
    path: string,
    summary: string,
    description: string,
    contentType: string,
    extra: Partial<ApiOperation> = {}
  ): ApiOperation => ({
    operationId,
    method: 'GET',
    path,
    action: null,
    callers: ['public', 'member'],
    summary,
    description,
    conditional: false,
    responses: { 200: { description: summary, contentType }, 404: off },
    ...extra,
  });
  return [
    open(
      'getCredential',
      '/credentials/:achievementDocumentId',
      'An achievement as an Open Badges 3.0 credential',
      'The signed OpenBadgeCredential (JSON-LD with an eddsa-rdfc-2022 Data Integrity proof), or ' +
        'its VC-JWT form (RS256) with `Accept: application/vc+jwt`. The holder (their member JWT) ' +
        'always; anyone else only when the member’s profile is public and public credentials are ' +
        'on. A revoked achievement has none in force (404); its old credential stays at its `id`.',
      'application/ld+json',
      {
        params: credentialParamsSchema,
        query: credentialQuerySchema,
        responses: {
          200: { description: 'The credential', contentType: 'application/ld+json' },
          400: badRequest,
          401: unauthorized,
          404: off,
        },
      }
    ),
    open(
      'listMemberCredentials',
      '/users/:userId/credentials',
      "A member's credentials",
      'The member’s achievements that have a credential, with where to fetch each one; the ' +
        'same access rule as a credential.',
      'application/json',
      {
        params: userParamsSchema,
        query: noQuerySchema,
        responses: {
          200: { description: 'The credentials', schema: memberCredentialsSchema },
          400: badRequest,
          401: unauthorized,
          404: off,
        },
      }
    ),
    open(
      'getIssuerDid',
      '/did.json',
      'The issuer’s DID document',
      '`did:web:<host>:api:achievements` resolves here: every signing key, current and retired, ' +
        'as an assertionMethod.',
      'application/did+json'
    ),
    open(
      'getIssuerJwks',
      '/jwks.json',
      'The issuer’s keys as a JWK Set',
      'The same keys as the DID document.',
      'application/jwk-set+json'
    ),
    open(
      'getIssuerKey',
      '/keys/:kid',
      'One issuer key as a JWK',
      'A VC-JWT’s `kid` header is this URL.',
      'application/jwk+json',
      {
        params: keyParamsSchema,
        responses: {
          200: { description: 'The JWK', contentType: 'application/jwk+json' },
          400: badRequest,
          404: off,
        },
      }
    ),
    open(
      'getStatusList',
      '/status-lists/:id',
      'A revocation status list',
      'A signed BitstringStatusListCredential; revalidate it with its ETag.',
      'application/ld+json',
      {
        params: statusListParamsSchema,
        conditional: true,
        responses: {
          200: { description: 'The status list credential', contentType: 'application/ld+json' },
          304: notModified,
          400: badRequest,
          404: off,
        },
      }
    ),
    open(
      'getBadgeAchievement',
      '/badges/:badgeDocumentId/open-badge',
      'A badge as an Open Badges Achievement',
      'The public URL every credential gives its achievement; secret badges answer 404.',
      'application/ld+json',
      {
        params: badgeAchievementParamsSchema,
        responses: {
          200: { description: 'The Achievement', contentType: 'application/ld+json' },
          400: badRequest,
          404: off,
        },
      }
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Validation messages
// ---------------------------------------------------------------------------------------------

export type RequestIssue = FieldIssue;

/** Parses request input; on failure, the sentences of describeZodError, naming each field. */
export const parseRequest = <T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: 'parameter' | 'field'
): { ok: true; data: z.output<T> } | { ok: false; message: string; errors: RequestIssue[] } => {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, ...describeZodError(result.error, { what }) };
};
