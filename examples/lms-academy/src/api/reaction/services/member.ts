import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID, type ReactionKind } from '../../../academy/uids';
import { reactionKey, type ReactionTarget } from '../../../academy/keys';
import { findOrCreateByKey } from '../../../academy/find-or-create';
import { toReaction, type ReactionDto } from '../../../academy/dto';

type Row = Record<string, any>;

/** Reactions on posts and comments: one per member, target and kind (`reactionKey`). */
const reactionMemberService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Reacts; reacting again the same way returns the existing reaction (`created: false`). */
  async react(
    userId: number,
    target: ReactionTarget,
    kind: ReactionKind
  ): Promise<{ reaction: ReactionDto; created: boolean }> {
    const exists =
      target.type === 'post'
        ? await strapi
            .documents(UID.post)
            .findOne({ documentId: target.documentId, status: 'published', fields: ['documentId'] })
        : await strapi
            .documents(UID.comment)
            .findOne({ documentId: target.documentId, fields: ['documentId'] });
    if (!exists) {
      throw new errors.NotFoundError(
        target.type === 'post'
          ? `post: no published post ${target.documentId}`
          : `comment: no comment ${target.documentId}`
      );
    }

    const key = reactionKey(userId, target, kind);
    // Only the author is read back: the key names the target, so a reaction found by it is on
    // `target`. (Populating three relations in one document-service call runs their queries at
    // once on the transaction's connection, which node-postgres deprecates: strapi/strapi#27645.)
    const populate = { author: { fields: ['username'] } };
    const { entry, created } = await findOrCreateByKey<Row>({
      find: () =>
        strapi.documents(UID.reaction).findFirst({ filters: { reactionKey: key }, populate }),
      create: () =>
        strapi.documents(UID.reaction).create({
          // A computed key defeats the document service input typing; the shape is the schema's.
          data: {
            kind,
            [target.type]: target.documentId,
            author: userId,
            reactionKey: key,
          } as Record<string, unknown>,
          populate,
        }),
    });
    return {
      reaction: toReaction(entry, {
        post: target.type === 'post' ? target.documentId : null,
        comment: target.type === 'comment' ? target.documentId : null,
      }),
      created,
    };
  },

  /** Removes one of the member's own reactions. */
  async remove(userId: number, documentId: string): Promise<void> {
    const reaction = (await strapi.documents(UID.reaction).findOne({
      documentId,
      populate: { author: { fields: ['id'] } },
    })) as Row | null;
    if (!reaction) throw new errors.NotFoundError(`No reaction ${documentId}`);
    if (reaction.author?.id !== userId) {
      throw new errors.ForbiddenError('You can only remove your own reactions');
    }
    await strapi.documents(UID.reaction).delete({ documentId });
  },
});

export type ReactionMemberService = ReturnType<typeof reactionMemberService>;
export default reactionMemberService;
