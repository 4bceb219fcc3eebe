import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  categoryInputSchema,
  categoryPatchSchema,
  documentIdParamsSchema,
  reorderSchema,
  type AdminCategory,
} from '../../../common/admin-api';
import { UID } from '../../../common/constants';
import { getService } from '../utils/get-service';
import { uniqueSlug } from './admin-shared';
import { parse } from './request';

/** Admin API of badge categories: `/achievements/categories…` (action badges.manage). */
const adminCategoriesController = ({ strapi }: { strapi: Core.Strapi }) => {
  const list = async (): Promise<AdminCategory[]> => {
    const rows = await strapi.db.query(UID.category).findMany({
      orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
      populate: { badges: { select: ['id'] } },
    });
    return rows.map((c: any) => ({
      documentId: c.documentId,
      name: c.name,
      slug: c.slug,
      description: c.description ?? null,
      sortOrder: c.sortOrder ?? 0,
      badgeCount: c.badges?.length ?? 0,
    }));
  };

  const one = async (documentId: string) => (await list()).find((c) => c.documentId === documentId);

  return {
    async find(ctx: any) {
      ctx.body = { data: await list() };
    },

    async create(ctx: any) {
      const body = parse(categoryInputSchema, ctx.request.body);
      const last = await strapi.db
        .query(UID.category)
        .findOne({ orderBy: { sortOrder: 'desc' }, select: ['sortOrder'] });
      const created = await strapi.documents(UID.category as any).create({
        data: {
          ...body,
          slug: await uniqueSlug(strapi, UID.category, body.name),
          sortOrder: (last?.sortOrder ?? 0) + 1,
        },
      } as any);
      ctx.status = 201;
      ctx.body = { data: await one(created.documentId) };
    },

    async update(ctx: any) {
      const { id } = parse(documentIdParamsSchema, { id: ctx.params?.id }, 'parameter');
      const body = parse(categoryPatchSchema, ctx.request.body);
      const found = await strapi.db.query(UID.category).findOne({ where: { documentId: id } });
      if (!found) throw new errors.NotFoundError(`category ${id} not found`);
      // Renaming keeps the slug: badges' criteria and the REST API refer to categories by it.
      await strapi.documents(UID.category as any).update({ documentId: id, data: body } as any);
      ctx.body = { data: await one(id) };
    },

    async reorder(ctx: any) {
      const { order } = parse(reorderSchema, ctx.request.body);
      const found = await strapi.db
        .query(UID.category)
        .findMany({ where: { documentId: { $in: order } }, select: ['documentId'] });
      const known = new Set(found.map((c: any) => c.documentId));
      const missing = order.findIndex((d) => !known.has(d));
      if (missing >= 0) {
        throw new errors.ValidationError(`order.${missing}: no category ${order[missing]}`, {
          errors: [{ path: `order.${missing}`, message: `no category ${order[missing]}` }],
        });
      }
      for (const [i, documentId] of order.entries()) {
        await strapi.db
          .query(UID.category)
          .update({ where: { documentId }, data: { sortOrder: i } });
      }
      getService(strapi, 'catalog').invalidate();
      ctx.body = { data: await list() };
    },
  };
};

export default adminCategoriesController;
