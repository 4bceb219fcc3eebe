import { z } from 'zod';
import { CARD_POSITIONS } from './constants';

/** The Achievements profile card, as placed in Settings → Customization → Profile Layout. */
export const cardSettingsSchema = z
  .object({
    enabled: z.boolean({ error: 'must be true or false' }),
    position: z.enum(CARD_POSITIONS, { error: `must be one of ${CARD_POSITIONS.join(', ')}` }),
    badgesToShow: z
      .number({ error: 'must be a whole number between 1 and 20' })
      .int({ error: 'must be a whole number between 1 and 20' })
      .min(1, { error: 'must be a whole number between 1 and 20' })
      .max(20, { error: 'must be a whole number between 1 and 20' }),
  })
  .strict();

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** Engine options editable in Settings → Gamification; the plugin config gives the defaults. */
export const streakSettingsSchema = z
  .object({
    defaultTimezone: z
      .string({ error: 'must be an IANA timezone such as "Europe/Paris"' })
      .refine(isTimeZone, { error: 'must be an IANA timezone such as "Europe/Paris"' }),
    events: z
      .array(z.string({ error: 'must be event names' }), { error: 'must be a list of event names' })
      .max(50, { error: 'must name at most 50 events' }),
    freezesPerMonth: z
      .number({ error: 'must be a whole number between 0 and 31' })
      .int({ error: 'must be a whole number between 0 and 31' })
      .min(0, { error: 'must be a whole number between 0 and 31' })
      .max(31, { error: 'must be a whole number between 0 and 31' }),
  })
  .strict();

const optionalUrl = z
  .string({ error: 'must be an http(s) URL or empty' })
  .max(500, { error: 'must be at most 500 characters' })
  .refine((v) => v === '' || /^https?:\/\/[^\s]+$/.test(v), {
    error: 'must be an http(s) URL or empty',
  });

/** The issuer Profile every credential names (Settings → Gamification → Credentials). */
export const issuerSettingsSchema = z
  .object({
    name: z.string({ error: 'must be text' }).max(200, { error: 'must be at most 200 characters' }),
    url: optionalUrl,
    image: optionalUrl,
    email: z
      .string({ error: 'must be an email address or empty' })
      .max(200, { error: 'must be at most 200 characters' })
      .refine((v) => v === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), {
        error: 'must be an email address or empty',
      }),
  })
  .strict();

/** Open Badges 3.0 credentials: issuing on or off, who may fetch them, the issuer. */
export const credentialSettingsSchema = z
  .object({
    enabled: z.boolean({ error: 'must be true or false' }),
    /** Anyone may fetch the credential of a member whose profile is public. */
    publicCredentials: z.boolean({ error: 'must be true or false' }),
    /** The did:web host (`academy.example`, `localhost:1337`); empty: Strapi's public URL. */
    host: z
      .string({ error: 'must be a host name such as academy.example, or empty' })
      .max(253, { error: 'must be at most 253 characters' })
      .refine((v) => v === '' || /^[a-z0-9.-]+(:[0-9]{1,5})?$/i.test(v), {
        error: 'must be a host name such as academy.example (a port may follow), or empty',
      }),
    issuer: issuerSettingsSchema,
  })
  .strict();

/** A member's data (Settings → Gamification → Data protection). */
export const privacySettingsSchema = z
  .object({
    /**
     * An erase revokes the member's credentials in the status list (on), or leaves the copies
     * they hold valid (off). Their rows go either way; status bits are never cleared.
     */
    revokeCredentialsOnErase: z.boolean({ error: 'must be true or false' }),
  })
  .strict();

export const DIGEST_FREQUENCIES = ['immediately', 'daily', 'weekly'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];
/** The day a weekly digest leaves, ISO order: 1 is Monday, 7 Sunday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export const EMAIL_LANGUAGES = ['en', 'fr'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

/**
 * Email digests (Settings → Gamification → Notifications). Off by default: a site opts in once
 * its email provider is configured. A daily digest leaves at `sendHour` in each member's own
 * timezone (their streak timezone); a weekly one on `sendWeekday` (Monday by default) at that
 * hour.
 */
export const notificationSettingsSchema = z
  .object({
    email: z.boolean({ error: 'must be true or false' }),
    frequency: z.enum(DIGEST_FREQUENCIES, {
      error: `must be one of ${DIGEST_FREQUENCIES.join(', ')}`,
    }),
    sendHour: z
      .number({ error: 'must be a whole hour between 0 and 23' })
      .int({ error: 'must be a whole hour between 0 and 23' })
      .min(0, { error: 'must be a whole hour between 0 and 23' })
      .max(23, { error: 'must be a whole hour between 0 and 23' }),
    sendWeekday: z
      .number({ error: 'must be a day of the week from 1 (Monday) to 7 (Sunday)' })
      .int({ error: 'must be a day of the week from 1 (Monday) to 7 (Sunday)' })
      .min(1, { error: 'must be a day of the week from 1 (Monday) to 7 (Sunday)' })
      .max(7, { error: 'must be a day of the week from 1 (Monday) to 7 (Sunday)' }),
    senderName: z
      .string({ error: 'must be text' })
      .max(100, { error: 'must be at most 100 characters' })
      .refine((v) => !/[\r\n<>"]/.test(v), {
        error: 'must not contain line breaks, quotes or angle brackets',
      }),
    /** The language of members who chose none (`PUT /me/preferences`). */
    defaultLanguage: z.enum(EMAIL_LANGUAGES, {
      error: `must be one of ${EMAIL_LANGUAGES.join(', ')}`,
    }),
  })
  .strict();

const wholeNumber = (min: number, max: number) =>
  z
    .number({ error: `must be a whole number between ${min} and ${max}` })
    .int({ error: `must be a whole number between ${min} and ${max}` })
    .min(min, { error: `must be a whole number between ${min} and ${max}` })
    .max(max, { error: `must be a whole number between ${min} and ${max}` });

/** Points one event type gives, and at most how many a member gets from it per calendar day. */
export const eventPointsSchema = z
  .object({
    points: wholeNumber(0, 10_000),
    /** Per member and calendar day (the site's default timezone); absent: no cap. */
    dailyCap: wholeNumber(0, 1_000_000).optional(),
  })
  .strict();

/** A named points threshold. */
export const levelSchema = z
  .object({
    name: z
      .string({ error: 'must be text of 1 to 60 characters' })
      .trim()
      .min(1, { error: 'must be text of 1 to 60 characters' })
      .max(60, { error: 'must be text of 1 to 60 characters' }),
    points: wholeNumber(0, 1_000_000_000),
  })
  .strict();

/** Points per event, levels and who leaderboards leave out (Settings → Gamification → Points). */
export const pointsSettingsSchema = z
  .object({
    perEvent: z.record(
      z.string().regex(/^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/, {
        error: 'must be an event name such as "lesson.completed"',
      }),
      eventPointsSchema,
      { error: 'must map event names to { points, dailyCap? }' }
    ),
    levels: z
      .array(levelSchema, { error: 'must be a list of { name, points }' })
      .min(1, { error: 'must hold at least one level' })
      .max(50, { error: 'must hold at most 50 levels' })
      .refine((levels) => levels[0]?.points === 0, {
        error: 'the first level must start at 0 points',
      })
      .refine((levels) => levels.every((l, i) => i === 0 || l.points > levels[i - 1].points), {
        error: 'thresholds must increase from one level to the next',
      }),
    /** users-permissions role types (e.g. "staff") whose members never appear on a leaderboard. */
    excludedRoles: z
      .array(z.string({ error: 'must be role types' }).min(1).max(100), {
        error: 'must be a list of role types',
      })
      .max(50, { error: 'must name at most 50 roles' }),
  })
  .strict();

/** Organisation-wide settings, persisted in Strapi's plugin store. */
export const settingsSchema = z
  .object({
    enabled: z.boolean({ error: 'must be true or false' }),
    card: cardSettingsSchema,
    streaks: streakSettingsSchema,
    credentials: credentialSettingsSchema,
    privacy: privacySettingsSchema,
    notifications: notificationSettingsSchema,
    points: pointsSettingsSchema,
  })
  .strict();

/** What `PUT /achievements/settings` accepts: any subset, merged over what is stored. */
export const settingsPatchSchema = z
  .object({
    enabled: settingsSchema.shape.enabled.optional(),
    card: cardSettingsSchema.partial().strict().optional(),
    streaks: streakSettingsSchema.partial().strict().optional(),
    credentials: credentialSettingsSchema
      .extend({ issuer: issuerSettingsSchema.partial().strict() })
      .partial()
      .strict()
      .optional(),
    privacy: privacySettingsSchema.partial().strict().optional(),
    notifications: notificationSettingsSchema.partial().strict().optional(),
    points: pointsSettingsSchema.partial().strict().optional(),
  })
  .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export type StreakSettings = z.infer<typeof streakSettingsSchema>;
export type CredentialSettings = z.infer<typeof credentialSettingsSchema>;
export type PrivacySettings = z.infer<typeof privacySettingsSchema>;
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;
export type PointsSettings = z.infer<typeof pointsSettingsSchema>;
export type Level = z.infer<typeof levelSchema>;

/**
 * Eight levels, each threshold roughly double the one before. The names read the same in
 * English and French; an organisation renames them in Settings.
 */
export const DEFAULT_LEVELS: Level[] = [
  { name: 'Novice', points: 0 },
  { name: 'Cadet', points: 100 },
  { name: 'Talent', points: 250 },
  { name: 'Expert', points: 500 },
  { name: 'Mentor', points: 1000 },
  { name: 'Champion', points: 2000 },
  { name: 'Maestro', points: 4000 },
  { name: 'Titan', points: 8000 },
];

/** Points for the events the example academy produces; an event the app lacks is left out. */
export const DEFAULT_EVENT_POINTS: PointsSettings['perEvent'] = {
  'lesson.completed': { points: 10, dailyCap: 50 },
  'module.completed': { points: 25 },
  'course.completed': { points: 100 },
  'post.published': { points: 5, dailyCap: 25 },
  'comment.helpful': { points: 15 },
};

export const DEFAULT_SETTINGS: Omit<Settings, 'streaks' | 'points'> = {
  enabled: false,
  card: { enabled: true, position: 'side', badgesToShow: 6 },
  credentials: {
    enabled: false,
    publicCredentials: false,
    host: '',
    issuer: { name: '', url: '', image: '', email: '' },
  },
  privacy: { revokeCredentialsOnErase: true },
  notifications: {
    email: false,
    frequency: 'daily',
    sendHour: 9,
    sendWeekday: 1,
    senderName: '',
    defaultLanguage: 'en',
  },
};

export const mergeSettings = (current: Settings, patch: SettingsPatch): Settings => ({
  ...current,
  ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
  card: { ...current.card, ...patch.card },
  streaks: { ...current.streaks, ...patch.streaks },
  credentials: {
    ...current.credentials,
    ...patch.credentials,
    issuer: { ...current.credentials?.issuer, ...patch.credentials?.issuer },
  } as Settings['credentials'],
  privacy: { ...current.privacy, ...patch.privacy },
  notifications: { ...current.notifications, ...patch.notifications },
  // perEvent, levels and excludedRoles are replaced whole: a map merged key by key could
  // never lose an event, and arrays merged by index would mix two level lists.
  points: { ...current.points, ...patch.points } as Settings['points'],
});

/** The public view of the settings served at `GET /api/achievements/config`. */
export interface PublicConfig {
  enabled: boolean;
  card: Settings['card'];
}
