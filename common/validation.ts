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

/**
 * The first place in `input` (object keys included, at any depth) where a string holds U+0000,
 * as a dotted path under `root` (`key`, `data.note`, `badges.0`); null when there is none.
 * PostgreSQL refuses NUL in text and JSON, so such a string could only fail in the database;
 * every request is checked for it up front (server/src/controllers/index.ts). Iterative, so a
 * deeply nested body cannot exhaust the stack.
 */
export const findNul = (input: unknown, root: string): string | null => {
  const stack: Array<{ value: unknown; path: string }> = [{ value: input, path: root }];
  const seen = new Set<object>();
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
      continue;
    }
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    const entries = Object.entries(value);
    // A key holding NUL is named with the character written out, so the message stays text.
    const badKey = entries.find(([key]) => key.includes('\u0000'));
    if (badKey) return join(path, badKey[0].replace(/\u0000/g, '\\u0000'));
    // Pushed last to first, so the first bad string in document order is the one named.
    for (let i = entries.length - 1; i >= 0; i--) {
      stack.push({ value: entries[i][1], path: join(path, entries[i][0]) });
    }
  }
  return null;
};
