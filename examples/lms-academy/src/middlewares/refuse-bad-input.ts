import type { Context, Next } from 'koa';

/**
 * The academy's own APIs (Strapi's core routes for courses, lessons, posts…) hand path ids and
 * `filters` values to the database as they come. Two kinds of input then fail there, as a 500,
 * on PostgreSQL and MariaDB only (the fuzz of issue 17 found both):
 *
 * - U+0000 in a path segment or a query value: PostgreSQL cannot hold it in text. Refused here
 *   with a 400 naming where it was, as the plugin refuses it on its own routes.
 * - a value the database cannot compare with the column it filters (`filters[id][$gt]=true`
 *   against an integer column, a date past the Date range): a "data exception" (SQLSTATE class
 *   22 on PostgreSQL, its MariaDB equivalents). On a read nothing was written, so the answer is
 *   a 400 naming the query, not a 500. Writes are left to Strapi's error handling.
 */
const hasNul = (value: unknown): boolean => {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
};

const decoded = (segment: string): string => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

// MariaDB: ER_TRUNCATED_WRONG_VALUE, ER_TRUNCATED_WRONG_VALUE_FOR_FIELD, ER_WRONG_VALUE,
// ER_DATA_OUT_OF_RANGE, ER_DATETIME_FUNCTION_OVERFLOW, ER_INVALID_CHARACTER_STRING.
const MYSQL_DATA_ERRORS = new Set([1292, 1366, 1525, 1264, 1441, 1300]);
const isDataException = (error: any): boolean => {
  for (const e of [error, error?.cause, error?.details?.cause]) {
    if (!e) continue;
    if (typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code)) return true;
    if (typeof e.errno === 'number' && MYSQL_DATA_ERRORS.has(e.errno)) return true;
  }
  return false;
};

const badRequest = (ctx: Context, path: string, message: string) => {
  ctx.status = 400;
  ctx.body = {
    data: null,
    error: {
      status: 400,
      name: 'ValidationError',
      message,
      details: { errors: [{ path, message }] },
    },
  };
};

/** The plugin's routes refuse such input themselves (its controllers/request.ts). */
const isAcademyApi = (path: string) =>
  path.startsWith('/api/') && !path.startsWith('/api/achievements/');

export default () => async (ctx: Context, next: Next) => {
  if (!isAcademyApi(ctx.path)) return next();
  const segment = ctx.path
    .split('/')
    .map(decoded)
    .findIndex((s) => s.includes('\u0000'));
  if (segment >= 0)
    return badRequest(ctx, 'path', `path segment ${segment}: must not contain U+0000`);
  const key = Object.keys(ctx.query).find((k) => k.includes('\u0000') || hasNul(ctx.query[k]));
  if (key !== undefined) {
    const name = key.replace(/\u0000/g, '\\u0000');
    return badRequest(ctx, name, `${name}: must not contain U+0000`);
  }
  try {
    await next();
  } catch (error) {
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && isDataException(error))
      return badRequest(
        ctx,
        'query',
        'query: a value does not fit the field it is compared with (filters, sort or pagination)'
      );
    throw error;
  }
};
