import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { actingMemberId, documentIdParam, parseOr400, requestBody } from '../../../academy/http';
import { academyService } from '../../../academy/services';

const documentId = z
  .string({ error: 'must be the documentId of a published post' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be the documentId of a published post' });

const createCommentSchema = z.strictObject(
  {
    post: documentId,
    body: z
      .string({ error: 'must be text' })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(5_000, { error: 'must be at most 5000 characters' }),
  },
  { error: 'must be a JSON object' }
);

const helpfulSchema = z.strictObject(
  { helpful: z.boolean({ error: 'must be true or false' }) },
  { error: 'must be a JSON object' }
);

/** `POST /api/comments`, `PATCH /api/comments/:documentId/helpful`. */
const commentMemberController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async create(ctx: Context) {
    const userId = actingMemberId(ctx);
    const input = parseOr400(createCommentSchema, requestBody(ctx));
    ctx.status = 201;
    ctx.body = { data: await academyService(strapi, 'api::comment.member').create(userId, input) };
  },

  async markHelpful(ctx: Context) {
    const userId = actingMemberId(ctx);
    const commentId = documentIdParam(ctx);
    const { helpful } = parseOr400(helpfulSchema, requestBody(ctx));
    ctx.body = {
      data: await academyService(strapi, 'api::comment.member').markHelpful(
        userId,
        commentId,
        helpful
      ),
    };
  },
});

export default commentMemberController;
