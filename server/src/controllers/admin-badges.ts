import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  badgeInputSchema,
  badgePatchSchema,
  documentIdParamsSchema,
  dryRunSchema,
  maxRepeatsIssue,
  reorderSchema,
  type AdminBadge,
  type AdminMeta,
} from '../../../common/admin-api';
import { BADGE_TIERS, UID } from '../../../common/constants';
import { describeCriteria } from '../../../engine/sentence';
import { selfRequirementIssues, type Criteria } from '../../../engine/criteria';
import { getService } from '../utils/get-service';
import { checkCriteria, uniqueSlug } from './admin-shared';
import { parse } from './request';
import { appEvents, pluginConfig } from '../utils/plugin-config';

/** Admin API of the badge catalog: `/achievements/badges…` (action badges.manage). */
const adminBadgesController = ({ strapi }: { strapi: Core.Strapi }) => {
  const list = async (): Promise<AdminBadge[]> => {
    const [badges, stats] = await Promise.all([
      strapi.db.query(UID.badge).findMany({
        populate: { category: true, image: true },
        orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
      }),
      getService(strapi, 'members').badgeStatistics({ fresh: true }),
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

  const findBadge = async (documentId: string) => {
    const badge = await strapi.db.query(UID.badge).findOne({ where: { documentId } });
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
    if ('criteria' in input) data.criteria = checkCriteria(strapi, input.criteria);
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

  const dto = async (documentId: string) =>
    (await list()).find((b) => b.documentId === documentId) ?? null;

  return {
    async meta(ctx: any) {
      const data: AdminMeta = {
        events: appEvents(strapi).known,
        profileFields: pluginConfig(strapi).profileFields,
        tiers: BADGE_TIERS,
      };
      ctx.body = { data };
    },

    async find(ctx: any) {
      ctx.body = { data: await list() };
    },

    async findOne(ctx: any) {
      const { id } = parse(documentIdParamsSchema, { id: ctx.params?.id }, 'parameter');
      await findBadge(id);
      ctx.body = { data: await dto(id) };
    },

    async create(ctx: any) {
      const body = parse(badgeInputSchema, ctx.request.body);
      const data = await toData({ ...body, criteria: body.criteria });
      const last = await strapi.db
        .query(UID.badge)
        .findOne({ orderBy: { sortOrder: 'desc' }, select: ['sortOrder'] });
      data.sortOrder = (last?.sortOrder ?? 0) + 1;
      data.slug = await uniqueSlug(strapi, UID.badge, body.name);
      checkBadge(data.slug, data.criteria, body.maxRepeats, body.repeatable);
      const created = await strapi.documents(UID.badge as any).create({ data } as any);
      ctx.status = 201;
      ctx.body = { data: await dto(created.documentId) };
    },

    async update(ctx: any) {
      const { id } = parse(documentIdParamsSchema, { id: ctx.params?.id }, 'parameter');
      const body = parse(badgePatchSchema, ctx.request.body);
      const badge = await findBadge(id);
      const data = await toData(body);
      checkBadge(
        badge.slug,
        data.criteria,
        body.maxRepeats,
        body.repeatable ?? Boolean(badge.repeatable)
      );
      await strapi.documents(UID.badge as any).update({ documentId: id, data } as any);
      ctx.body = { data: await dto(id) };
    },

    async duplicate(ctx: any) {
      const { id } = parse(documentIdParamsSchema, { id: ctx.params?.id }, 'parameter');
      const source = await strapi.db
        .query(UID.badge)
        .findOne({ where: { documentId: id }, populate: { category: true, image: true } });
      if (!source) throw new errors.NotFoundError(`badge ${id} not found`);
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
      ctx.status = 201;
      ctx.body = { data: await dto(created.documentId) };
    },

    async delete(ctx: any) {
      const { id } = parse(documentIdParamsSchema, { id: ctx.params?.id }, 'parameter');
      const badge = await strapi.db
        .query(UID.badge)
        .findOne({ where: { documentId: id }, populate: { category: true, image: true } });
      if (!badge) throw new errors.NotFoundError(`badge ${id} not found`);
      await getService(strapi, 'admin').deleteBadge(badge);
      ctx.body = { data: { documentId: id } };
    },

    async reorder(ctx: any) {
      const { order } = parse(reorderSchema, ctx.request.body);
      const found = await strapi.db
        .query(UID.badge)
        .findMany({ where: { documentId: { $in: order } }, select: ['documentId'] });
      const known = new Set(found.map((b: any) => b.documentId));
      const missing = order.findIndex((d) => !known.has(d));
      if (missing >= 0) {
        throw new errors.ValidationError(`order.${missing}: no badge ${order[missing]}`, {
          errors: [{ path: `order.${missing}`, message: `no badge ${order[missing]}` }],
        });
      }
      for (const [i, documentId] of order.entries()) {
        await strapi.db.query(UID.badge).update({ where: { documentId }, data: { sortOrder: i } });
      }
      getService(strapi, 'catalog').invalidate();
      ctx.body = { data: await list() };
    },

    async dryRun(ctx: any) {
      const body = parse(dryRunSchema, ctx.request.body);
      const criteria = checkCriteria(strapi, body.criteria);
      ctx.body = {
        data: await getService(strapi, 'engine').dryRun(criteria, {
          category: body.category ?? null,
          points: body.points,
        }),
      };
    },
  };
};

export default adminBadgesController;
