import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { z } from 'zod';
import { PLUGIN_ID } from '../../../common/constants';

/**
 * When an event may say it happened. One rule for every path that writes the ledger with a
 * date it was given (the events API, the events service): a date that is not a valid instant, or
 * lies outside the window, is refused with a 400 naming `occurredAt` instead of being stored as
 * NULL, where the engine would skip it and the fact would be lost.
 *
 * The window: from `oldestEvent` (plugin config, default 1990-01-01 UTC) to a few minutes from
 * now (servers' clocks differ a little).
 */

/** Events may say they happened up to this far in the future (clock skew between servers). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** The default `oldestEvent`: older dates are almost always a zero or a unit mistake. */
export const DEFAULT_OLDEST_EVENT = '1990-01-01';
/** `oldestEvent` may allow imports back to this date, and no further. */
export const EARLIEST_OLDEST_EVENT = '1900-01-01';
/** The largest epoch-milliseconds value a JavaScript Date holds (±100,000,000 days). */
const MAX_DATE_MS = 8.64e15;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const INPUT_ERROR = 'must be a valid date: an ISO 8601 date-time or epoch milliseconds';

/** The instant an ISO date (`1990-01-01`: midnight UTC) or date-time names; NaN when invalid. */
const instantOf = (value: string): number => {
  if (!DATE_ONLY.test(value)) return Date.parse(value);
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls "1990-02-30" over to March: a day that does not exist is invalid.
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value) ? ms : NaN;
};

/**
 * `occurredAt` as a request or a caller gives it: an ISO 8601 date-time with an offset, epoch
 * milliseconds, or a Date — each one a valid instant (8640000000000001 is not).
 */
export const occurredAtSchema = z.union(
  [
    // Beyond ±8.64e15 ms a Date is invalid (8640000000000001 used to be stored as NULL).
    z.number().refine((ms) => Number.isInteger(ms) && Math.abs(ms) <= MAX_DATE_MS, {
      error: INPUT_ERROR,
    }),
    // The format's pattern admits only real days (no 30 February), all within a Date's range.
    z.iso.datetime({ offset: true }),
    z.date().refine((d) => !Number.isNaN(d.getTime())),
  ],
  { error: INPUT_ERROR }
);

/** The plugin config's `oldestEvent`: an ISO date (or date-time), not before 1900, not future. */
export const oldestEventSchema = z
  .string({ error: 'must be an ISO 8601 date such as "1990-01-01"' })
  .refine(
    (value) =>
      (DATE_ONLY.test(value) || z.iso.datetime({ offset: true }).safeParse(value).success) &&
      !Number.isNaN(instantOf(value)),
    { error: 'must be an ISO 8601 date such as "1990-01-01"' }
  )
  .refine((value) => instantOf(value) >= instantOf(EARLIEST_OLDEST_EVENT), {
    error: `must not be before ${EARLIEST_OLDEST_EVENT}`,
  })
  .refine((value) => instantOf(value) <= Date.now(), { error: 'must not be in the future' });

/** The first and last instants (epoch ms) an event may carry under `oldestEvent`, as of `now`. */
export const occurredAtWindow = (
  oldestEvent: string = DEFAULT_OLDEST_EVENT,
  now: number = Date.now()
): { oldest: number; latest: number } => ({
  oldest: instantOf(oldestEvent),
  latest: now + MAX_CLOCK_SKEW_MS,
});

/** This app's `oldestEvent` (plugin config). */
export const oldestEventOf = (strapi: Core.Strapi): string =>
  (strapi.config.get(`plugin::${PLUGIN_ID}.oldestEvent`) as string | undefined) ??
  DEFAULT_OLDEST_EVENT;

/** Why `at` may not be an event's date under `oldestEvent`, or null when it may. */
export const occurredAtProblem = (
  at: Date,
  oldestEvent: string = DEFAULT_OLDEST_EVENT,
  now: number = Date.now()
): string | null => {
  const ms = at.getTime();
  if (Number.isNaN(ms)) return INPUT_ERROR;
  const { oldest, latest } = occurredAtWindow(oldestEvent, now);
  if (ms > latest) return 'must not be in the future';
  if (ms < oldest) {
    return (
      `must not be before ${new Date(oldest).toISOString()} ` +
      `(the plugin config's oldestEvent allows older imports)`
    );
  }
  return null;
};

/** Throws a ValidationError naming `occurredAt` when `at` is outside this app's window. */
export const assertOccurredAt = (strapi: Core.Strapi, at: Date): void => {
  const problem = occurredAtProblem(at, oldestEventOf(strapi));
  if (problem) {
    throw new errors.ValidationError(`occurredAt: ${problem}`, {
      errors: [{ path: 'occurredAt', message: problem }],
    });
  }
};
