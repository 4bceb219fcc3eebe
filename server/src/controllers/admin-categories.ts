import type { Core } from '@strapi/strapi';
import {
  categoryInputSchema,
  categoryPatchSchema,
  documentIdParamsSchema,
  reorderSchema,
} from '../../../common/admin-api';
import { getService } from '../utils/get-service';
import { parse } from './request';

/** Admin API of badge categories: `/achievements/categories…` (action badges.manage). */
const adminCategoriesController = ({ strapi }: { strapi: Core.Strapi }) => {
  const editor = () => getService(strapi, 'categoryEditor');

  return {
    async find(ctx: any) {
      ctx.body = { data: await editor().list() };
    },

    async create(ctx: any) {
      const body = parse(categoryInputSchema, ctx.request.body);
      ctx.status = 201;
      ctx.body = { data: await editor().create(body) };
    },

    async update(ctx: any) {
      const { id } = parse(documentIdParamsSchema, { id: ctx.params?.id }, 'parameter');
      const body = parse(categoryPatchSchema, ctx.request.body);
      ctx.body = { data: await editor().update(id, body) };
    },

    async reorder(ctx: any) {
      const { order } = parse(reorderSchema, ctx.request.body);
      ctx.body = { data: await editor().reorder(order) };
    },
  };
};

export default adminCategoriesController;
