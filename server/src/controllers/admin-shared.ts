import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getService } from '../utils/get-service';

/** The engine's criteria validator, with its issue paths as dotted strings. */
export const checkCriteria = (strapi: Core.Strapi, criteria: unknown) => {
  try {
    return getService(strapi, 'badges').validateCriteria(criteria);
  } catch (error: any) {
    if (error?.name !== 'ValidationError') throw error;
    const list = (error.details?.errors ?? []) as Array<{
      path: string[] | string;
      message: string;
    }>;
    const issues = list.map((e) => ({
      path: Array.isArray(e.path) ? e.path.join('.') : String(e.path),
      message: e.message,
    }));
    throw new errors.ValidationError(
      issues.map((i) => `${i.path}: ${i.message}`).join('; ') || error.message,
      { errors: issues }
    );
  }
};

export const conflict = (ctx: any, message: string) => {
  ctx.status = 409;
  ctx.body = { data: null, error: { status: 409, name: 'ConflictError', message, details: {} } };
};

/** A uid from a name that no row of `uid` holds yet ("first-steps", "first-steps-2", …). */
export const uniqueSlug = async (strapi: Core.Strapi, uid: string, name: string) => {
  const base =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/(^-|-$)/g, '')
      .slice(0, 60) || 'item';
  for (let n = 1; ; n += 1) {
    const slug = n === 1 ? base : `${base}-${n}`;
    const taken = await strapi.db.query(uid as any).findOne({ where: { slug }, select: ['id'] });
    if (!taken) return slug;
  }
};
