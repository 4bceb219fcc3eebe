import type { z } from 'zod';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `card.badgesToShow`. */
  path: string;
  message: string;
}

/** Turns a zod error into sentences that name the field, the way every 400 of the plugin reads. */
export const describeZodError = (
  error: z.ZodError,
  prefix?: string
): { message: string; errors: FieldIssue[] } => {
  const errors = error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) =>
        [path === '(body)' ? '' : path, k].filter(Boolean).join('.')
      );
      return { path: keys[0] ?? path, message: `unknown field ${keys.join(', ')}` };
    }
    return { path, message: `${path}: ${issue.message}` };
  });
  return { message: errors.map((e) => e.message).join('; '), errors };
};
