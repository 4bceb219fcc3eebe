import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { isDeepStrictEqual } from 'util';
import { z } from 'zod';
import { describeZodError } from '../../../common/validation';
import { ADMIN_EVENTS, ADMIN_EVENT_TYPES } from '../../../engine/evaluate';
import { eventNameSchema } from '../config/schema';
import { ledgerStore, type LedgerRow } from '../stores/ledger';
import { getService } from '../utils/get-service';
import { appEvents } from '../utils/plugin-config';
import { signalEventsRecorded } from '../utils/ledger-signal';
import { refuseNulIn } from '../validation/nul';
import { assertOccurredAt, occurredAtSchema } from '../validation/occurred-at';

const MAX_DATA_BYTES = 8_192;
/** How many recently seen ledger keys each process remembers (a few hundred bytes each). */
const RECENT_KEYS = 50_000;
/** A remembered fact keeps its data (for the reused-key check) up to this JSON length. */
const REMEMBERED_DATA_CHARS = 256;

export const eventInputSchema = z
  .object({
    type: eventNameSchema,
    userId: z.number({ error: 'must be a member id (a whole number)' }).int().positive(),
    key: z
      .string({ error: 'must be a string' })
      .min(1, { error: 'must not be empty' })
      .max(255, { error: 'must be at most 255 characters' }),
    occurredAt: occurredAtSchema.optional(),
    actorId: z.number().int().positive().nullable().optional(),
    subject: z.string().max(255, { error: 'must be at most 255 characters' }).nullable().optional(),
    data: z
      .record(z.string(), z.unknown())
      .refine((d) => JSON.stringify(d).length <= MAX_DATA_BYTES, {
        error: `must be at most ${MAX_DATA_BYTES} bytes of JSON`,
      })
      .optional(),
    source: z.enum(['trigger', 'api', 'service', 'backfill']).optional(),
  })
  .strict();

export type EventInput = z.input<typeof eventInputSchema>;

/**
 * A key the member's ledger already holds for a different fact: refused (409 on the API), as
 * payment APIs refuse a reused idempotency key, so a sender's mistake never drops a fact silently.
 */
export class KeyConflictError extends errors.ApplicationError {
  constructor(key: string) {
    super(`key: "${key}" was already used for a different event of this member`, {
      errors: [{ path: 'key', message: 'already used for a different event of this member' }],
    });
  }
}

/** The fields of a stored fact a reused key is checked against (see sameFact). */
type RememberedFact = Pick<LedgerRow, 'type' | 'actorId' | 'subject' | 'data' | 'occurredAt'>;

/** Whether a retried fact is the one stored: the same body (occurredAt only when it was sent). */
const sameFact = (
  stored: RememberedFact,
  sent: { type: string; actorId?: number | null; subject?: string | null; data?: unknown },
  occurredAt: Date | null
) =>
  stored.type === sent.type &&
  (stored.actorId ?? null) === (sent.actorId ?? null) &&
  (stored.subject ?? null) === (sent.subject ?? null) &&
  // As the database gives it back: JSON, whatever order its keys come in.
  isDeepStrictEqual(stored.data ?? null, JSON.parse(JSON.stringify(sent.data ?? null))) &&
  (occurredAt === null || stored.occurredAt === occurredAt.getTime());

export interface RecordResult {
  accepted: boolean;
  duplicate: boolean;
}

/**
 * The ledger. Every fact is written here, unique on its member and key, before the evaluator
 * looks at it: a replay or a retry is a no-op, and nothing recorded is lost if the process stops.
 */
const eventsService = ({ strapi }: { strapi: Core.Strapi }) => {
  /**
   * Member keys (`userId:key`) this process knows to be in the ledger (it wrote them, or the database refused them as
   * duplicates), oldest first. Ledger rows are never deleted, so a retried or replayed event whose
   * key is here is answered without a database round trip; any other key is decided by the
   * unique index as before. Bounded: the oldest keys are forgotten first.
   */
  const recentKeys = new Map<string, RememberedFact | null>();
  /** `fact`: what this process stored under the key (null: another writer stored it first). */
  const remember = (key: string, fact: RememberedFact | null) => {
    if (recentKeys.get(key)) return;
    recentKeys.set(key, fact);
    if (recentKeys.size > RECENT_KEYS) recentKeys.delete(recentKeys.keys().next().value!);
  };

  return {
    /**
     * Records one event. Returns `accepted: false` when achievements are switched off (nothing is
     * recorded), `duplicate: true` when the member's ledger already holds this key for the same
     * fact. Throws a ValidationError naming the field for bad input, a KeyConflictError when
     * the key was used for a different fact of this member.
     */
    async record(
      input: EventInput,
      options: { ignoreDisabled?: boolean; adminDecision?: boolean } = {}
    ): Promise<RecordResult> {
      // Code reaches here without the controllers' check: PostgreSQL cannot store U+0000.
      refuseNulIn(input);
      const parsed = eventInputSchema.safeParse(input);
      if (!parsed.success) {
        const { message, errors: details } = describeZodError(parsed.error);
        throw new errors.ValidationError(message, { errors: details });
      }
      const event = parsed.data;
      const { known, knownSet } = appEvents(strapi);
      // An admin's decisions are recorded by the plugin itself (recordAdminDecision), never sent.
      const admitted = options.adminDecision
        ? ADMIN_EVENT_TYPES.includes(event.type)
        : knownSet.has(event.type);
      if (!admitted) {
        throw new errors.ValidationError(
          `type: unknown event "${event.type}"; known events: ${known.join(', ')}`,
          {
            errors: [{ path: 'type', message: `unknown event "${event.type}"` }],
          }
        );
      }
      const occurredAt = event.occurredAt === undefined ? new Date() : new Date(event.occurredAt);
      assertOccurredAt(strapi, occurredAt);

      if (!options.ignoreDisabled && !(await getService(strapi, 'settings').isEnabled())) {
        return { accepted: false, duplicate: false };
      }

      const memberKey = `${event.userId}:${event.key}`;
      // A trigger's key names the document, so a later write of it is the same fact by design;
      // any other sender's reused key must carry the same body (checked against the stored row).
      const checkReuse = async (): Promise<RecordResult> => {
        if (event.source !== 'trigger') {
          // What this process stored itself is compared in memory: a retry costs no read.
          const stored =
            recentKeys.get(memberKey) ??
            (await ledgerStore(strapi).factOf(event.userId, event.key));
          const sentAt = event.occurredAt === undefined ? null : occurredAt;
          if (stored && !sameFact(stored, event, sentAt)) throw new KeyConflictError(event.key);
        }
        return { accepted: true, duplicate: true };
      };
      if (recentKeys.has(memberKey)) return checkReuse();
      // An erased member is never re-created by a late event (or a retry of an old one).
      if (await getService(strapi, 'privacy').isErased(event.userId))
        return { accepted: false, duplicate: false };
      const inserted = await ledgerStore(strapi).insert(
        {
          key: event.key,
          type: event.type,
          userId: event.userId,
          actorId: event.actorId ?? null,
          subject: event.subject ?? null,
          occurredAt,
          source: event.source ?? 'service',
          data: event.data ?? null,
        },
        // Once the fact is committed: remember its key, and wake the evaluator if it is new.
        (ok) => {
          const data = JSON.stringify(event.data ?? null);
          remember(
            memberKey,
            // Small facts only, so the memory stays bounded; a larger one is read back.
            ok && data.length <= REMEMBERED_DATA_CHARS
              ? {
                  type: event.type,
                  actorId: event.actorId ?? null,
                  subject: event.subject ?? null,
                  data: JSON.parse(data), // as the database gives JSON back
                  occurredAt: occurredAt.getTime(),
                }
              : null
          );
          if (ok) signalEventsRecorded(strapi);
        }
      );
      return inserted ? { accepted: true, duplicate: false } : checkReuse();
    },

    /**
     * Records an admin's award or revocation as a fact (ADMIN_EVENTS), at the instant the
     * achievement row says, so a recalculation rebuilds it and the evaluator re-evaluates the
     * badges that count held badges. Recorded even while achievements are switched off.
     */
    async recordAdminDecision(
      type: (typeof ADMIN_EVENTS)[keyof typeof ADMIN_EVENTS],
      userId: number,
      decision: { badgeId: number; sequence: number; by: string; reason: string | null },
      at: Date
    ) {
      return this.record(
        {
          type,
          userId,
          key: `${type}:${userId}:${decision.badgeId}:${decision.sequence}:${at.getTime()}`,
          subject: String(decision.badgeId),
          occurredAt: at,
          data: decision,
          source: 'service',
        },
        { ignoreDisabled: true, adminDecision: true }
      );
    },

    pendingCount: () => ledgerStore(strapi).pendingCount(),
  };
};

export default eventsService;
