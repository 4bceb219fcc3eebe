import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import type { z } from 'zod';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `socialLinks.0.url`. */
  path: string;
  message: string;
}

/** Turns zod issues into sentences that name the field: the message of every 400 of the app. */
export const describeIssues = (error: z.ZodError): { message: string; errors: FieldIssue[] } => {
  const issues = error.issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const field = [path, key].filter(Boolean).join('.');
        return { path: field, message: `${field}: unknown field, it cannot be set here` };
      });
    }
    // Not "body": posts and comments have a field of that name.
    const field = path || '(body)';
    return [{ path: field, message: `${field}: ${issue.message}` }];
  });
  return { message: issues.map((i) => i.message).join('; '), errors: issues };
};

/** Parses untrusted input or throws Strapi's ValidationError (a 400 naming every bad field). */
export const parseOr400 = <S extends z.ZodType>(schema: S, input: unknown): z.output<S> => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const { message, errors: issues } = describeIssues(result.error);
  throw new errors.ValidationError(message, { errors: issues });
};

/** The acting member: always the JWT's user, never anything a client sends. */
export const actingMemberId = (ctx: Context): number => {
  const user = ctx.state.user as { id?: unknown } | undefined;
  // An API token or an accidental Public grant reaches here without a member.
  if (!user || typeof user.id !== 'number') {
    throw new errors.UnauthorizedError('Log in as a member to do this');
  }
  return user.id;
};

export const requestBody = (ctx: Context): unknown =>
  (ctx.request as Context['request'] & { body?: unknown }).body;

export const documentIdParam = (ctx: Context): string => {
  const { documentId } = ctx.params as { documentId?: unknown };
  // Anything that is not a plausible documentId can name no document: a 404, not a 400.
  if (typeof documentId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(documentId)) {
    throw new errors.NotFoundError('Not found');
  }
  return documentId;
};
