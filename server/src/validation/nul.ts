import { errors } from '@strapi/utils';
import { findNul } from '../../../common/validation';

const MESSAGE = 'must not contain the NUL character (U+0000)';

/** The 400 for U+0000 at `path` (PostgreSQL cannot store it: it would fail in the database). */
export const nulError = (path: string) => {
  const field = path || 'body';
  return new errors.ValidationError(`${field}: ${MESSAGE}`, {
    errors: [{ path: field, message: MESSAGE }],
  });
};

/** Throws nulError naming the first string (or key) in `input` that holds U+0000. */
export const refuseNulIn = (input: unknown): void => {
  const path = findNul(input, '');
  if (path !== null) throw nulError(path);
};
