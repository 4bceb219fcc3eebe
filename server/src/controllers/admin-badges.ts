import type { Core } from '@strapi/strapi';
import {
  badgeInputSchema,
  badgePatchSchema,
  documentIdParamsSchema,
  dryRunSchema,
  reorderSchema,
} from '../../../common/admin-api';
import { getService } from '../utils/get-service';
import { parse } from './request';

/** Admin API of the badge catalog: `/achievements/badges…` (action badges.manage). */
const adminBadgesController = ({ strapi }: { strapi: Core.Strapi }) => {
  const editor = () => getService(strapi, 'badgeEditor');
  const idOf = (ctx: any) => parse(documentIdParamsSchema, { id: ctx.params?.id }, 'parameter').id;

  return {
    async meta(ctx: any) {
      ctx.body = { data: editor().meta() };
    },

    async find(ctx: any) {
      ctx.body = { data: await editor().list() };
    },

    async findOne(ctx: any) {
      ctx.body = { data: await editor().get(idOf(ctx)) };
    },

    async create(ctx: any) {
      const body = parse(badgeInputSchema, ctx.request.body);
      ctx.status = 201;
      ctx.body = { data: await editor().create(body) };
    },

    async update(ctx: any) {
      const id = idOf(ctx);
      const body = parse(badgePatchSchema, ctx.request.body);
      ctx.body = { data: await editor().update(id, body) };
    },

    async duplicate(ctx: any) {
      const id = idOf(ctx);
      ctx.status = 201;
      ctx.body = { data: await editor().duplicate(id) };
    },

    async delete(ctx: any) {
      ctx.body = { data: await editor().remove(idOf(ctx)) };
    },

    async reorder(ctx: any) {
      const { order } = parse(reorderSchema, ctx.request.body);
      ctx.body = { data: await editor().reorder(order) };
    },

    async dryRun(ctx: any) {
      const body = parse(dryRunSchema, ctx.request.body);
      ctx.body = { data: await editor().dryRun(body) };
    },
  };
};

export default adminBadgesController;
