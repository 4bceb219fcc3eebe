import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../../../academy/uids';
import { toPost, type PostDto } from '../../../academy/dto';

type Row = Record<string, any>;

/** A member's own posts: written through the document service, so plugin triggers see them. */
const postMemberService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Creates and publishes a post by `userId`. */
  async create(userId: number, input: { title: string; body: string }): Promise<PostDto> {
    const post = (await strapi.documents(UID.post).create({
      data: { title: input.title, body: input.body, author: userId },
      status: 'published',
      populate: { author: { fields: ['username'] } },
    })) as Row;
    return toPost(post);
  },

  /** Finds a post the seed wrote before (by author and title), so a second run adds nothing. */
  async findOwn(userId: number, title: string): Promise<PostDto | null> {
    const post = (await strapi.documents(UID.post).findFirst({
      status: 'published',
      filters: { title, author: { id: userId } },
      populate: { author: { fields: ['username'] } },
    })) as Row | null;
    return post ? toPost(post) : null;
  },

  /** Deletes a post (every version of it); only its author may. */
  async delete(userId: number, documentId: string): Promise<void> {
    const post = (await strapi.documents(UID.post).findOne({
      documentId,
      populate: { author: { fields: ['id'] } },
    })) as Row | null;
    if (!post) throw new errors.NotFoundError(`No post ${documentId}`);
    if (post.author?.id !== userId)
      throw new errors.ForbiddenError('Only the author may delete this post');
    await strapi.documents(UID.post).delete({ documentId });
  },
});

export type PostMemberService = ReturnType<typeof postMemberService>;
export default postMemberService;
