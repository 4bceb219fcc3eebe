import type { Core } from '@strapi/strapi';
import {
  awardSchema,
  bulkAwardSchema,
  memberParamsSchema,
  memberSearchSchema,
  erasuresQuerySchema,
  revokeSchema,
  pointsAdjustSchema,
} from '../../../common/admin-api';
import { getService } from '../utils/get-service';
import { adminId, parse, sendExport } from './request';

/** Admin API of members: search, a member's achievements, award and revoke by hand. */
const adminMembersController = ({ strapi }: { strapi: Core.Strapi }) => {
  const admin = () => getService(strapi, 'admin');
  const idOf = (ctx: any) =>
    Number(parse(memberParamsSchema, { id: ctx.params?.id }, 'parameter').id);

  return {
    async find(ctx: any) {
      const query = parse(memberSearchSchema, ctx.query, 'parameter');
      ctx.body = await admin().searchMembers(query.q?.trim(), Number(query.page ?? 1));
    },

    async findOne(ctx: any) {
      ctx.body = { data: await admin().memberDetail(idOf(ctx)) };
    },

    async award(ctx: any) {
      const id = idOf(ctx);
      const body = parse(awardSchema, ctx.request.body);
      await admin().awardBadge(id, body.badge, { adminId: adminId(ctx), reason: body.reason });
      ctx.body = { data: { awarded: true } };
    },

    /** An admin's manual points adjustment, with a reason; answers the member's standing. */
    async adjustPoints(ctx: any) {
      const id = idOf(ctx);
      const body = parse(pointsAdjustSchema, ctx.request.body);
      ctx.body = {
        data: await getService(strapi, 'points').adjust(id, body.amount, body.reason, adminId(ctx)),
      };
    },

    async revoke(ctx: any) {
      const id = idOf(ctx);
      const body = parse(revokeSchema, ctx.request.body);
      const result = await admin().revokeBadge(id, body.badge, {
        adminId: adminId(ctx),
        reason: body.reason,
        sequence: body.sequence,
      });
      ctx.body = { data: { revoked: result.revoked.length } };
    },

    async exportData(ctx: any) {
      const id = idOf(ctx);
      await sendExport(ctx, await getService(strapi, 'privacy').exportStream(id), id);
    },

    async erasePreview(ctx: any) {
      ctx.body = { data: await getService(strapi, 'privacy').preview(idOf(ctx)) };
    },

    async erase(ctx: any) {
      const id = idOf(ctx);
      // 404 for an unknown member (the preview reads the user); an erase of a member whose
      // account is already gone goes through the service.
      await getService(strapi, 'privacy').preview(id);
      ctx.body = {
        data: await getService(strapi, 'privacy').erase(id, {
          origin: 'admin',
          adminId: adminId(ctx),
        }),
      };
    },

    async liftTombstone(ctx: any) {
      ctx.body = {
        data: await getService(strapi, 'privacy').liftTombstone(idOf(ctx), {
          adminId: adminId(ctx),
        }),
      };
    },

    async erasures(ctx: any) {
      const query = parse(erasuresQuerySchema, ctx.query, 'parameter');
      ctx.body = await getService(strapi, 'privacy').receipts(Number(query.page ?? 1));
    },

    async bulkAward(ctx: any) {
      const body = parse(bulkAwardSchema, ctx.request.body);
      ctx.body = {
        data: await admin().bulkAward(body.badge, body.members, {
          adminId: adminId(ctx),
          reason: body.reason,
        }),
      };
    },
  };
};

export default adminMembersController;
