import type { z } from 'zod';

export interface FieldIssue {
  /** Dotted path of the offending field or parameter, e.g. `card.badgesToShow`, `pageSize`. */
  path: string;
  message: string;
}

/**
 * Turns a zod error into sentences that name the field, the way every 400 of the plugin and
 * every config error reads ("pageSize: must be a whole number between 1 and 100"; "colour:
 * unknown field"). The one formatter: request parsing, settings, events and the plugin config
 * all use it. `prefix` goes before every path (the config's "achievements"); `what` names an
 * unknown key ("field", or "parameter" for path and query parameters).
 */
export const describeZodError = (
  error: z.ZodError,
  { prefix, what = 'field' }: { prefix?: string; what?: 'field' | 'parameter' } = {}
): { message: string; errors: FieldIssue[] } => {
  const errors = error.issues.flatMap((issue): FieldIssue[] => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const full = [path, key].filter(Boolean).join('.');
        return { path: full, message: `${full}: unknown ${what}` };
      });
    }
    if (path === '') return [{ path: 'body', message: 'body: must be a JSON object' }];
    return [{ path, message: `${path}: ${issue.message}` }];
  });
  return { message: errors.map((e) => e.message).join('; '), errors };
};
