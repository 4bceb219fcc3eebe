import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { z } from 'zod';
import type {
  AdminCategory,
  categoryInputSchema,
  categoryPatchSchema,
} from '../../../common/admin-api';
import { UID } from '../../../common/constants';
import { reorderRows, uniqueSlug } from './badge-editor';

/** The category editor's use cases (the admin's Categories page). */
const categoryEditorService = ({ strapi }: { strapi: Core.Strapi }) => {
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
    list,

    async create(body: z.output<typeof categoryInputSchema>) {
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
      return one(created.documentId);
    },

    async update(documentId: string, body: z.output<typeof categoryPatchSchema>) {
      const found = await strapi.db.query(UID.category).findOne({ where: { documentId } });
      if (!found) throw new errors.NotFoundError(`category ${documentId} not found`);
      // Renaming keeps the slug: badges' criteria and the REST API refer to categories by it.
      await strapi.documents(UID.category as any).update({ documentId, data: body } as any);
      return one(documentId);
    },

    async reorder(order: string[]) {
      await reorderRows(strapi, UID.category, 'category', order);
      return list();
    },
  };
};

export default categoryEditorService;
