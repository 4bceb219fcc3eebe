/**
 * Resolves a keyed write to exactly one row, also under concurrency.
 *
 * The unique index on the key column is the arbiter: when two requests race, one insert wins and
 * the other fails; the loser then reads the winner's row. Which error the loser sees depends on
 * the database (a unique violation; SQLite's, which Strapi rethrows as a NotNullError; or, on
 * MariaDB, a deadlock while the winner has not committed yet), so the loser does not trust the
 * error: it reads by key again, and retries a few times before giving up.
 */
export const findOrCreateByKey = async <T>(operations: {
  find: () => Promise<T | null | undefined>;
  create: () => Promise<T>;
  attempts?: number;
}): Promise<{ entry: T; created: boolean }> => {
  const attempts = operations.attempts ?? 5;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const existing = await operations.find();
    if (existing) return { entry: existing, created: false };
    try {
      return { entry: await operations.create(), created: true };
    } catch (error) {
      if (!isConflict(error)) throw error;
      lastError = error;
      await sleep(5 * 2 ** attempt + Math.random() * 10);
    }
  }
  throw lastError;
};

const CONFLICT_CODES = new Set([
  '23505', // PostgreSQL unique_violation
  '40P01', // PostgreSQL deadlock_detected
  '40001', // serialization_failure
  'ER_DUP_ENTRY',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_BUSY',
]);

/** A write that lost a race on a key (as opposed to a bad write that retrying cannot fix). */
export const isConflict = (error: unknown): boolean => {
  for (
    let e = error as Record<string, unknown> | undefined, depth = 0;
    e && depth < 5;
    depth += 1
  ) {
    if (typeof e.code === 'string' && CONFLICT_CODES.has(e.code)) return true;
    // Strapi's SQLite dialect turns every constraint error (errno 19) into a NotNullError.
    if (e.name === 'NotNullError') return true;
    if (typeof e.message === 'string' && /unique|duplicate|deadlock/i.test(e.message)) return true;
    e = e.cause as Record<string, unknown> | undefined;
  }
  return false;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
