import { z } from 'zod';
import { oldestEventSchema } from '../validation/occurred-at';

const EVENT_NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
const CONTENT_TYPE_UID = /^(api|plugin)::[a-z0-9-]+\.[a-z0-9-]+$/;
const ATTRIBUTE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export const eventNameSchema = z.string().regex(EVENT_NAME, {
  error: 'must be a dotted lower-case event name such as "lesson.completed"',
});

const pathSchema = z
  .string()
  .regex(ATTRIBUTE_PATH, { error: 'must be an attribute path such as "author" or "post.author"' });

export const TRIGGER_ACTIONS = ['create', 'update', 'delete', 'publish', 'unpublish'] as const;

/** Maps one write of a host content type to a domain event. */
export const triggerSchema = z
  .object({
    uid: z
      .string()
      .regex(CONTENT_TYPE_UID, { error: 'must be a content-type UID such as "api::post.post"' }),
    action: z.enum(TRIGGER_ACTIONS, { error: `must be one of ${TRIGGER_ACTIONS.join(', ')}` }),
    event: eventNameSchema,
    /** Path to the member who is credited; the first path that resolves wins. */
    user: z.union([pathSchema, z.array(pathSchema).min(1).max(5)]),
    /** Path to the member who caused it, when that is someone else (the reactor). */
    actor: pathSchema.optional(),
    /** Path to what the event is about (default: the written document itself). */
    subject: z.union([pathSchema, z.array(pathSchema).min(1).max(5)]).optional(),
    /** Path to the instant the fact happened (default: now, or the document's timestamps in a backfill). */
    occurredAt: pathSchema.optional(),
    /** Conditions on the written document, e.g. `{ status: 'completed' }`. */
    when: z.record(pathSchema, z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
    /** This event cancels earlier occurrences of another event about the same subject. */
    retracts: eventNameSchema.optional(),
    /**
     * Path to the member who owns what the fact is about, when that is not the written document
     * (the post a comment answers): with ignoreSelf, a comment on one's own post counts nothing.
     */
    owner: pathSchema.optional(),
    /**
     * Ignore the fact when the actor or the owner is the credited member (self-reactions,
     * comments on one's own posts). Default true.
     */
    ignoreSelf: z.boolean().optional(),
    /** Attribute paths copied into the event's data, for `where` conditions in criteria. */
    data: z.array(pathSchema).max(20).optional(),
    /**
     * Path to the course the fact happened in (e.g. `lesson.module.course`): its event points
     * also count on the leaderboard `course:<documentId>`.
     */
    scope: pathSchema.optional(),
  })
  .strict();

export type Trigger = z.infer<typeof triggerSchema>;

export const pluginConfigSchema = z
  .object({
    triggers: z.array(triggerSchema).max(200),
    /** Extra event types that only arrive through `POST /api/achievements/events` or the events service. */
    externalEvents: z.array(eventNameSchema).max(200),
    /**
     * The oldest date an event may carry (ISO 8601, default 1990-01-01): older ones are refused
     * with a 400 naming occurredAt. Set it earlier (not before 1900-01-01) to import old history.
     */
    oldestEvent: oldestEventSchema,
    /** IANA timezone for members who have none. */
    defaultTimezone: z.string().refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be an IANA timezone such as "Europe/Paris"' }
    ),
    /**
     * Attribute of the users-permissions user that holds the member's IANA timezone. Unset: the
     * attribute `timezone` if the user model has one, else every member is in defaultTimezone.
     */
    timezoneField: pathSchema.optional(),
    /**
     * Which events count as a learning day for streaks. Unset: the `*.completed` events the
     * triggers and externalEvents produce. `[]`: none (no streaks).
     */
    streakEvents: z.array(eventNameSchema).max(50).optional(),
    freezesPerMonth: z.number().int().min(0).max(31),
    /**
     * users-permissions user attributes whose being filled counts for profile badges. Unset:
     * whichever of avatar, bio and socialLinks the user model has.
     */
    profileFields: z.array(pathSchema).max(30).optional(),
    /** Seed the default catalog (categories, badges, artwork) on the first start. */
    seedCatalog: z.boolean(),
    processing: z
      .object({
        /** How often each process looks for events left unprocessed (crash, restart, another process). */
        pollIntervalMs: z.number().int().min(100).max(3_600_000),
        batchSize: z.number().int().min(1).max(10_000),
        /** How long a claimed event stays with one process before another may take it over. */
        leaseMs: z.number().int().min(1000).max(3_600_000),
        /**
         * While events keep arriving, the engine starts a new batch at most this often, so a busy
         * site's events are evaluated in batches (fewer statements per event); an event arriving
         * when the engine is idle is evaluated at once.
         */
        coalesceMs: z.number().int().min(0).max(10_000),
        /**
         * Whether this process evaluates events. false: it still records every event its writes
         * produce, and leaves evaluating them to another process of the same app (a worker) that
         * has it true and picks them up within its pollIntervalMs.
         */
        engine: z.boolean({ error: 'must be true or false' }).optional(),
      })
      .strict(),
    /** Live notification streams (`GET /me/notifications/stream`). */
    streams: z
      .object({
        /**
         * How often each process reads new notifications for all of its open streams (one
         * query per interval, whatever the number of streams). Notifications written by this
         * process reach its streams at once; others within this interval.
         */
        pollIntervalMs: z.number().int().min(50).max(10_000),
        /** A comment line sent this often on every stream, so proxies keep it open. */
        heartbeatMs: z.number().int().min(1000).max(300_000),
        /** How long a stream ticket (`POST /me/notifications/stream-ticket`) may wait for use. */
        ticketTtlMs: z.number().int().min(1000).max(600_000),
      })
      .strict(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // A retraction must cancel an event that something produces, or it silently does nothing.
    const produced = new Set([
      'profile.updated',
      ...config.triggers.map((t) => t.event),
      ...config.externalEvents,
    ]);
    config.triggers.forEach((trigger, index) => {
      if (trigger.retracts && !produced.has(trigger.retracts)) {
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', index, 'retracts'],
          message: `"${trigger.retracts}" is not an event any trigger or externalEvents produces: add the trigger that produces it, or list it in achievements.externalEvents`,
        });
      }
      if (trigger.retracts && trigger.retracts === trigger.event) {
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', index, 'retracts'],
          message: 'an event cannot retract itself',
        });
      }
      if ((trigger.action === 'delete' || trigger.action === 'unpublish') && !trigger.retracts) {
        ctx.addIssue({
          code: 'custom',
          path: ['triggers', index, 'retracts'],
          message: `a ${trigger.action} trigger must say which event it retracts`,
        });
      }
    });
    config.streakEvents?.forEach((event, index) => {
      if (!produced.has(event)) {
        ctx.addIssue({
          code: 'custom',
          path: ['streakEvents', index],
          message: `"${event}" is not an event any trigger or externalEvents produces: add a trigger that produces it (achievements.triggers), list it in achievements.externalEvents, or remove it`,
        });
      }
    });
  });

export type PluginConfig = z.infer<typeof pluginConfigSchema>;
