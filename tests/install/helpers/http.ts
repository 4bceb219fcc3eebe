export interface Reply {
  status: number;
  body: any;
}

export type Call = (
  method: string,
  path: string,
  options?: { token?: string; body?: unknown }
) => Promise<Reply>;

/** Longer than any request should take, shorter than a start's whole budget. */
const TIMEOUT_MS = 30_000;

/** A plain HTTP client for one server, as any front-end or back-end would call it. */
export const client =
  (baseUrl: string): Call =>
  async (method, path, { token, body } = {}) => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      const why =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${TIMEOUT_MS / 1000} s`
          : String(error);
      throw new Error(`${method} ${path}: ${why}`);
    }
    if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
      // A live stream (the notifications' SSE) never ends: its status is the answer.
      await res.body?.cancel();
      return { status: res.status, body: null };
    }
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  };

/** The reply, or an error naming the request and what came back. */
export const expectStatus = (reply: Reply, status: number | number[], what: string): Reply => {
  const wanted = Array.isArray(status) ? status : [status];
  if (!wanted.includes(reply.status)) {
    throw new Error(
      `${what}: expected ${wanted.join(' or ')}, got ${reply.status} ${JSON.stringify(reply.body)}`
    );
  }
  return reply;
};

/** Retries `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export const eventually = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${timeoutMs / 1000} s${last ? ` (last error: ${String(last)})` : ''}`
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

/** The payload of a JWT, unverified: only to tell which token mode users-permissions issued. */
export const jwtPayload = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
