/**
 * A database connection that went away (terminated by the server, reset, a pool handing out a
 * client that just died) is not a wrong statement: the same statement on a fresh connection
 * succeeds. The triggers record a fact after the host's write has committed and answered, so a
 * connection lost at that moment would lose the fact; they retry such failures (recording is
 * idempotent: the ledger is unique on member and key). Seen by
 * tests/integration/engine-connection-faults.test.ts (pg_terminate_backend under load).
 */
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  // PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, connection_exception class.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const CONNECTION_MESSAGES =
  /connection terminated|connection ended unexpectedly|encountered a connection error|terminating connection|ECONNRESET|Connection lost|Timeout acquiring a connection/i;

export const isConnectionLost = (error: unknown): boolean => {
  for (let e: any = error, depth = 0; e && depth < 3; e = e.cause, depth += 1) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    if (typeof e.message === 'string' && CONNECTION_MESSAGES.test(e.message)) return true;
  }
  return false;
};

/**
 * Runs `work`, again on a lost connection (after 100, 200, 400 … ms), up to `attempts` times.
 * Eight tries span about 13 s: when every connection is terminated at once, the pool may hand
 * out several dead ones in a row before it has discarded them (five tries, 1.5 s, once lost a
 * fact in CI's fault test).
 */
export const retryOnConnectionLoss = async <T>(
  work: () => Promise<T>,
  { attempts = 8, delayMs = 100 }: { attempts?: number; delayMs?: number } = {}
): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isConnectionLost(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 1)));
    }
  }
};
