import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../../../academy/uids';
import { toComment, type CommentDto } from '../../../academy/dto';

type Row = Record<string, any>;

/** Comments on published posts, and the post author's "helpful" mark. */
const commentMemberService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async create(userId: number, input: { post: string; body: string }): Promise<CommentDto> {
    const post = await strapi.documents(UID.post).findOne({
      documentId: input.post,
      status: 'published',
      fields: ['documentId'],
    });
    if (!post) throw new errors.NotFoundError(`post: no published post ${input.post}`);
    const comment = (await strapi.documents(UID.comment).create({
      data: { body: input.body, post: input.post, author: userId, helpful: false },
      populate: { author: { fields: ['username'] } },
    })) as Row;
    return toComment(comment, input.post);
  },

  /** Finds a comment the seed wrote before, so a second run adds nothing. */
  async findOwn(userId: number, postDocumentId: string, body: string): Promise<CommentDto | null> {
    const comment = (await strapi.documents(UID.comment).findFirst({
      filters: { body, author: { id: userId }, post: { documentId: postDocumentId } },
      populate: { author: { fields: ['username'] } },
    })) as Row | null;
    return comment ? toComment(comment, postDocumentId) : null;
  },

  /**
   * Marks a comment helpful (or not). Only the author of the post it answers may, and not on
   * their own comment: "helping other learners" is not something one grants oneself.
   */
  async markHelpful(userId: number, documentId: string, helpful: boolean): Promise<CommentDto> {
    const comment = (await strapi.documents(UID.comment).findOne({
      documentId,
      populate: { post: { fields: ['documentId'] }, author: { fields: ['username'] } },
    })) as Row | null;
    if (!comment) throw new errors.NotFoundError(`No comment ${documentId}`);

    const postDocumentId: string | null = comment.post?.documentId ?? null;
    const post = postDocumentId
      ? ((await strapi.documents(UID.post).findOne({
          documentId: postDocumentId,
          populate: { author: { fields: ['id'] } },
        })) as Row | null)
      : null;
    if (!post || post.author?.id !== userId) {
      throw new errors.ForbiddenError("Only the post's author may mark its comments helpful");
    }
    if (comment.author?.id === userId) {
      throw new errors.ForbiddenError('You cannot mark your own comment helpful');
    }
    // No write when nothing changes, so a repeated click is not a new fact for anyone.
    if ((comment.helpful === true) === helpful) return toComment(comment, postDocumentId);

    const updated = (await strapi.documents(UID.comment).update({
      documentId,
      // Without generated types, the input typing does not know the app's attributes.
      data: { helpful } as Record<string, unknown>,
      populate: { author: { fields: ['username'] } },
    })) as Row;
    return toComment(updated, postDocumentId);
  },
});

export type CommentMemberService = ReturnType<typeof commentMemberService>;
export default commentMemberService;
