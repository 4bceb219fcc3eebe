import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { z } from 'zod';
import {
  maxRepeatsIssue,
  type AdminBadge,
  type AdminMeta,
  type badgeInputSchema,
  type badgePatchSchema,
  type dryRunSchema,
} from '../../../common/admin-api';
import { BADGE_TIERS, UID } from '../../../common/constants';
import { selfRequirementIssues, type Criteria } from '../../../engine/criteria';
import { describeCriteria } from '../../../engine/sentence';
import { getService } from '../utils/get-service';
import { appEvents, pluginConfig } from '../utils/plugin-config';

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

/** Writes `sortOrder` 0, 1, 2… in the given order; 400 naming the first unknown entry. */
export const reorderRows = async (
  strapi: Core.Strapi,
  uid: string,
  noun: string,
  order: string[]
) => {
  const found = await strapi.db
    .query(uid as any)
    .findMany({ where: { documentId: { $in: order } }, select: ['documentId'] });
  const known = new Set(found.map((r: any) => r.documentId));
  const missing = order.findIndex((d) => !known.has(d));
  if (missing >= 0) {
    throw new errors.ValidationError(`order.${missing}: no ${noun} ${order[missing]}`, {
      errors: [{ path: `order.${missing}`, message: `no ${noun} ${order[missing]}` }],
    });
  }
  for (const [i, documentId] of order.entries())
    await strapi.db.query(uid as any).update({ where: { documentId }, data: { sortOrder: i } });
  getService(strapi, 'catalog').invalidate();
};

/**
 * The badge editor's use cases (the admin's Badges page): the catalog with each badge's
 * criteria sentence, earned count and rarity (the statistics service's, as the member API
 * shows them), create, change, duplicate, delete (services/admin), reorder, and a dry run.
 */
const badgeEditorService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** The engine's criteria validator, with its issue paths as dotted strings. */
  const checkCriteria = (criteria: unknown) => {
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

  const list = async (): Promise<AdminBadge[]> => {
    const [badges, stats] = await Promise.all([
      strapi.db.query(UID.badge).findMany({
        populate: { category: true, image: true },
        orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
      }),
      getService(strapi, 'statistics').of({ fresh: true }),
    ]);
    const badgeNames = Object.fromEntries(badges.map((b: any) => [b.slug, b.name]));
    const categories = await strapi.db.query(UID.category).findMany({});
    const categoryNames = Object.fromEntries(categories.map((c: any) => [c.slug, c.name]));
    return badges.map((b: any): AdminBadge => {
      const { earnedCount, rarity } = stats(b.id);
      let criteriaText = '';
      try {
        criteriaText = describeCriteria(b.criteria as Criteria, { badgeNames, categoryNames });
      } catch {
        criteriaText = '';
      }
      return {
        id: b.id,
        documentId: b.documentId,
        name: b.name,
        slug: b.slug,
        description: b.description ?? null,
        image: b.image
          ? { id: b.image.id, url: b.image.url, alternativeText: b.image.alternativeText ?? null }
          : null,
        category: b.category
          ? { documentId: b.category.documentId, name: b.category.name, slug: b.category.slug }
          : null,
        tier: b.tier,
        points: b.points ?? 0,
        criteria: b.criteria,
        criteriaText,
        secret: !!b.secret,
        repeatable: !!b.repeatable,
        maxRepeats: b.maxRepeats ?? null,
        autoRevoke: !!b.autoRevoke,
        enabled: b.enabled !== false,
        sortOrder: b.sortOrder ?? 0,
        earnedCount,
        rarity,
      };
    });
  };

  const findBadge = async (documentId: string, populate?: Record<string, true>) => {
    const badge = await strapi.db
      .query(UID.badge)
      .findOne({ where: { documentId }, ...(populate ? { populate } : {}) });
    if (!badge) throw new errors.NotFoundError(`badge ${documentId} not found`);
    return badge;
  };

  const categoryId = async (documentId: string | null | undefined) => {
    if (documentId === undefined) return undefined;
    if (documentId === null) return null;
    const category = await strapi.db.query(UID.category).findOne({ where: { documentId } });
    if (!category) {
      throw new errors.ValidationError(`category: no category ${documentId}`, {
        errors: [{ path: 'category', message: `category: no category ${documentId}` }],
      });
    }
    return category.documentId as string;
  };

  const toData = async (input: Record<string, any>) => {
    const data: Record<string, any> = { ...input };
    if ('criteria' in input) data.criteria = checkCriteria(input.criteria);
    if ('category' in input) data.category = await categoryId(input.category);
    if ('image' in input) data.image = input.image ?? null;
    if (data.repeatable === false) data.maxRepeats = null;
    return data;
  };

  /**
   * Rules on the badge as a whole, after the fields passed their own checks: it does not require
   * itself, and only a repeatable badge has maxRepeats. A 400 naming each field.
   */
  const checkBadge = (
    slug: string,
    criteria: unknown,
    maxRepeats: number | null | undefined,
    repeatable: boolean | undefined
  ) => {
    const issues = [
      ...(criteria === undefined ? [] : selfRequirementIssues(criteria as Criteria, slug)),
      ...[maxRepeatsIssue(maxRepeats, repeatable)].filter((i) => i !== null),
    ];
    if (issues.length === 0) return;
    throw new errors.ValidationError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), {
      errors: issues,
    });
  };

  const one = async (documentId: string) =>
    (await list()).find((b) => b.documentId === documentId) ?? null;

  return {
    list,

    meta(): AdminMeta {
      return {
        events: appEvents(strapi).known,
        profileFields: pluginConfig(strapi).profileFields,
        tiers: BADGE_TIERS,
      };
    },

    async get(documentId: string) {
      await findBadge(documentId);
      return one(documentId);
    },

    async create(body: z.output<typeof badgeInputSchema>) {
      const data = await toData({ ...body, criteria: body.criteria });
      const last = await strapi.db
        .query(UID.badge)
        .findOne({ orderBy: { sortOrder: 'desc' }, select: ['sortOrder'] });
      data.sortOrder = (last?.sortOrder ?? 0) + 1;
      data.slug = await uniqueSlug(strapi, UID.badge, body.name);
      checkBadge(data.slug, data.criteria, body.maxRepeats, body.repeatable);
      const created = await strapi.documents(UID.badge as any).create({ data } as any);
      return one(created.documentId);
    },

    async update(documentId: string, body: z.output<typeof badgePatchSchema>) {
      const badge = await findBadge(documentId);
      const data = await toData(body);
      checkBadge(
        badge.slug,
        data.criteria,
        body.maxRepeats,
        body.repeatable ?? Boolean(badge.repeatable)
      );
      await strapi.documents(UID.badge as any).update({ documentId, data } as any);
      return one(documentId);
    },

    async duplicate(documentId: string) {
      const source = await findBadge(documentId, { category: true, image: true });
      const name = `${source.name} (copy)`.slice(0, 80);
      const created = await strapi.documents(UID.badge as any).create({
        data: {
          name,
          slug: await uniqueSlug(strapi, UID.badge, name),
          description: source.description,
          image: source.image?.id ?? null,
          category: source.category?.documentId ?? null,
          tier: source.tier,
          points: source.points,
          criteria: source.criteria,
          secret: source.secret,
          repeatable: source.repeatable,
          maxRepeats: source.maxRepeats,
          autoRevoke: source.autoRevoke,
          // A copy starts switched off, so it awards nothing until an editor means it to.
          enabled: false,
          sortOrder: (source.sortOrder ?? 0) + 1,
        },
      } as any);
      return one(created.documentId);
    },

    async remove(documentId: string) {
      const badge = await findBadge(documentId, { category: true, image: true });
      await getService(strapi, 'admin').deleteBadge(badge);
      return { documentId };
    },

    async reorder(order: string[]) {
      await reorderRows(strapi, UID.badge, 'badge', order);
      return list();
    },

    async dryRun(body: z.output<typeof dryRunSchema>) {
      const criteria = checkCriteria(body.criteria);
      return getService(strapi, 'evaluator').dryRun(criteria, {
        category: body.category ?? null,
        points: body.points,
      });
    },
  };
};

export default badgeEditorService;
