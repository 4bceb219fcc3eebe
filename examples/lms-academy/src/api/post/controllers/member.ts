import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { actingMemberId, documentIdParam, parseOr400, requestBody } from '../../../academy/http';
import { academyService } from '../../../academy/services';

const createPostSchema = z.strictObject(
  {
    title: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(200, { error: 'must be at most 200 characters' }),
    body: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(20_000, { error: 'must be at most 20000 characters' }),
  },
  { error: 'must be a JSON object' }
);

/** `POST /api/posts`, `DELETE /api/posts/:documentId`: a member's own posts. */
const postMemberController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async create(ctx: Context) {
    const userId = actingMemberId(ctx);
    const input = parseOr400(createPostSchema, requestBody(ctx));
    ctx.status = 201;
    ctx.body = { data: await academyService(strapi, 'api::post.member').create(userId, input) };
  },

  async delete(ctx: Context) {
    const userId = actingMemberId(ctx);
    await academyService(strapi, 'api::post.member').delete(userId, documentIdParam(ctx));
    ctx.status = 204;
  },
});

export default postMemberController;
