import type { Readable } from 'stream';
import { errors } from '@strapi/utils';
import type { z } from 'zod';
import { parseRequest } from '../../../common/api';
import { findNul } from '../../../common/validation';
import { nulError } from '../validation/nul';

/**
 * What every controller needs from a request, in one place: parsed input (a 400 naming each bad
 * field), who is calling (a member, an API token, an admin), and the refusals when it is not who
 * the route is for.
 */

/** Parses params, query or body; a 400 whose `details.errors[].path` names each bad field. */
export const parse = <T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: 'parameter' | 'field' = 'field'
): z.output<T> => {
  const result = parseRequest(schema, input ?? {}, what);
  if (!result.ok) throw new errors.ValidationError(result.message, { errors: result.errors });
  return result.data;
};

/**
 * Refuses U+0000 anywhere in a request's path parameters, query string or body with a 400 naming
 * the field: PostgreSQL cannot store it, so it would otherwise fail in the database (a 500), or be
 * stored on the databases that can. Every plugin controller runs it first (controllers/index.ts).
 */
export const refuseNul = (ctx: any): void => {
  // The router also lists path parameters by position ("0"); name them by their names first.
  const params: Record<string, unknown> = ctx.params ?? {};
  const named = Object.fromEntries(Object.entries(params).filter(([k]) => !/^\d+$/.test(k)));
  const path =
    findNul(named, '') ??
    findNul(params, '') ??
    findNul(ctx.query ?? {}, '') ??
    findNul(ctx.request?.body, '');
  if (path !== null) throw nulError(path);
};

/** Strapi 5's API-token strategy; releases before 5.5x named it `api-token`. */
const API_TOKEN_STRATEGIES = new Set(['content-api-token', 'api-token']);
const strategyOf = (ctx: any): string | undefined => ctx.state?.auth?.strategy?.name;

/**
 * The member making the request, or null. Only users-permissions names a member (it fills
 * `ctx.state.user` from a legacy `{ id }` JWT and from a session access token alike): an API
 * token's credentials are the token itself, never a user, whatever `ctx.state` holds.
 */
export const viewerOf = (ctx: any): number | null => {
  if (strategyOf(ctx) !== 'users-permissions') return null;
  const id = ctx.state.user?.id;
  return typeof id === 'number' && Number.isInteger(id) ? id : null;
};

/**
 * The signed-in member, or an error: 403 for an API token (authenticated, but not a member),
 * 401 otherwise.
 */
export const signedInMember = (ctx: any): number => {
  const id = viewerOf(ctx);
  if (id !== null) return id;
  if (API_TOKEN_STRATEGIES.has(strategyOf(ctx) ?? '')) {
    throw new errors.ForbiddenError('an API token is not a member: sign in as a member');
  }
  throw new errors.UnauthorizedError('sign in as a member');
};

/** Routes for other back-ends: a member's JWT is refused even if a role grants the action. */
export const requireApiToken = (ctx: any, message: string): void => {
  if (!API_TOKEN_STRATEGIES.has(strategyOf(ctx) ?? '')) throw new errors.ForbiddenError(message);
};

/** The signed-in admin (set by `admin::isAuthenticatedAdmin`). */
export const adminId = (ctx: any): number => ctx.state?.user?.id ?? 0;

/** Sends a member's export: streamed JSON, as a file download that no cache keeps. */
export const sendExport = async (ctx: any, stream: Readable, userId: number) => {
  ctx.type = 'application/json; charset=utf-8';
  ctx.set('Content-Disposition', `attachment; filename="achievements-member-${userId}.json"`);
  ctx.set('Cache-Control', 'private, no-store');
  ctx.status = 200;
  ctx.body = stream;
};

/** Answers an error in Strapi's shape, with a message the caller can act on. */
const answerError = (
  ctx: any,
  status: number,
  name: string,
  message: string,
  details: unknown = {}
) => {
  ctx.status = status;
  ctx.body = { data: null, error: { status, name, message, details } };
};

/** Answers 409 (a request that conflicts with work in progress, or a reused key). */
export const conflict = (ctx: any, message: string, details: unknown = {}) =>
  answerError(ctx, 409, 'ConflictError', message, details);

/**
 * Answers 401 with its reason. A thrown UnauthorizedError would lose it: Strapi's content-API
 * authorization wraps the controller and answers a bare "Unauthorized".
 */
export const unauthorized = (ctx: any, message: string) =>
  answerError(ctx, 401, 'UnauthorizedError', message);
