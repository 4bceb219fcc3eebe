import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../../../academy/uids';
import type { ProfileUpdate } from '../../../academy/profile-schema';
import { toProfile, type ProfileDto } from '../../../academy/dto';

/** A member's public profile: the extended users-permissions user, read and written safely. */
const profileService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async get(userId: number): Promise<ProfileDto | null> {
    const user = await strapi.documents(UID.user).findFirst({
      filters: { id: userId },
      populate: { avatar: true, socialLinks: true },
    });
    return user ? toProfile(user) : null;
  },

  /**
   * Applies an already validated update. Everything is checked before the one write, so a bad
   * request writes nothing. The write goes through users-permissions' user service, like every
   * other user write of Strapi.
   */
  async update(userId: number, update: ProfileUpdate): Promise<ProfileDto> {
    if (typeof update.avatar === 'number') {
      const file = await strapi.db
        .query(UID.file)
        .findOne({ where: { id: update.avatar }, select: ['id', 'mime'] });
      if (!file)
        throw new errors.NotFoundError(`avatar: no uploaded file with id ${update.avatar}`);
      if (typeof file.mime !== 'string' || !file.mime.startsWith('image/')) {
        throw new errors.ValidationError(`avatar: file ${update.avatar} is not an image`, {
          errors: [{ path: 'avatar', message: `avatar: file ${update.avatar} is not an image` }],
        });
      }
    }
    if (Object.keys(update).length > 0) {
      const edited = await strapi.plugin('users-permissions').service('user').edit(userId, update);
      if (!edited) throw new errors.NotFoundError('No such member');
    }
    const profile = await this.get(userId);
    if (!profile) throw new errors.NotFoundError('No such member');
    return profile;
  },
});

export type ProfileService = ReturnType<typeof profileService>;
export default profileService;
