import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { REACTION_KINDS } from '../../../academy/uids';
import { actingMemberId, documentIdParam, parseOr400, requestBody } from '../../../academy/http';
import { academyService } from '../../../academy/services';

const documentId = (what: string) =>
  z
    .string({ error: `must be the documentId of a ${what}` })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: `must be the documentId of a ${what}` });

const reactSchema = z
  .strictObject(
    {
      post: documentId('published post').optional(),
      comment: documentId('comment').optional(),
      kind: z.enum(REACTION_KINDS, { error: `must be one of ${REACTION_KINDS.join(', ')}` }),
    },
    { error: 'must be a JSON object' }
  )
  .superRefine((value, ctx) => {
    if ((value.post === undefined) === (value.comment === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [value.post === undefined ? 'post' : 'comment'],
        message: 'give exactly one of post or comment',
      });
    }
  });

/** `POST /api/reactions`, `DELETE /api/reactions/:documentId`. */
const reactionMemberController = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** 201 with the new reaction, or 200 with the existing one when the member already reacted so. */
  async create(ctx: Context) {
    const userId = actingMemberId(ctx);
    const input = parseOr400(reactSchema, requestBody(ctx));
    const target =
      input.post !== undefined
        ? { type: 'post' as const, documentId: input.post }
        : { type: 'comment' as const, documentId: input.comment! };
    const { reaction, created } = await academyService(strapi, 'api::reaction.member').react(
      userId,
      target,
      input.kind
    );
    ctx.status = created ? 201 : 200;
    ctx.body = { data: reaction };
  },

  async delete(ctx: Context) {
    const userId = actingMemberId(ctx);
    await academyService(strapi, 'api::reaction.member').remove(userId, documentIdParam(ctx));
    ctx.status = 204;
  },
});

export default reactionMemberController;
