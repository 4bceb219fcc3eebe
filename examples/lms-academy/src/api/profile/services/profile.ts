import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../../../academy/uids';
import type { ProfileUpdate } from '../../../academy/profile-schema';
import { toProfile, type ProfileDto } from '../../../academy/dto';
import { MAX_AVATAR_BYTES, sniffImage } from '../../../academy/avatar-upload';

/** A file a member sent in a multipart request (formidable's description of it). */
export interface UploadedFile {
  filepath: string;
  originalFilename?: string | null;
  size: number;
}

const fileError = (message: string) =>
  new errors.ValidationError(`files: ${message}`, { errors: [{ path: 'files', message }] });

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
      // A member attaches only a picture they uploaded themselves (POST /api/profile/avatar, which
      // attaches it at once), so the only id accepted here is the one already theirs. Any other —
      // another member's picture, a badge's artwork, a file an admin uploaded, an id that does
      // not exist — gets the same answer, so the answer tells nothing about the media library.
      const current = await strapi.db.query(UID.user).findOne({
        where: { id: userId },
        select: ['id'],
        populate: { avatar: { select: ['id'] } },
      });
      if (current?.avatar?.id !== update.avatar) {
        throw new errors.NotFoundError(
          `avatar: you have no uploaded picture with id ${update.avatar}; upload one with POST /api/profile/avatar`
        );
      }
    }
    return this.save(userId, update);
  },

  /**
   * Writes a validated update as given, avatar included, in one write through users-permissions'
   * user service. For server code whose avatar file it uploaded itself for this member (the avatar
   * route, the seed); a request's update goes through update(), which checks the avatar.
   */
  async save(userId: number, update: ProfileUpdate): Promise<ProfileDto> {
    if (Object.keys(update).length > 0) {
      const edited = await strapi.plugin('users-permissions').service('user').edit(userId, update);
      if (!edited) throw new errors.NotFoundError('No such member');
    }
    const profile = await this.get(userId);
    if (!profile) throw new errors.NotFoundError('No such member');
    return profile;
  },

  /**
   * Uploads the member's new picture and makes it their avatar in one step: the only way a file
   * becomes a member's avatar, so it is always one they uploaded. PNG, JPEG, GIF or WebP by
   * content, at most 2 MB.
   */
  async uploadAvatar(userId: number, file: UploadedFile): Promise<ProfileDto> {
    if (file.size > MAX_AVATAR_BYTES) throw fileError('must be at most 2 MB');
    const image = file.size > 0 ? sniffImage(file.filepath) : null;
    if (!image) throw fileError('must be a PNG, JPEG, GIF or WebP image');
    const user = await strapi.db
      .query(UID.user)
      .findOne({ where: { id: userId }, select: ['id', 'username'] });
    if (!user) throw new errors.NotFoundError('No such member');
    const name = `avatar-${user.id}.${image.ext}`;
    const [uploaded] = await strapi
      .plugin('upload')
      .service('upload')
      .upload({
        data: { fileInfo: { name, alternativeText: `Avatar of ${user.username}` } },
        files: {
          filepath: file.filepath,
          originalFilename: name,
          mimetype: image.mime,
          size: file.size,
        },
      });
    return this.save(userId, { avatar: uploaded.id });
  },
});

export type ProfileService = ReturnType<typeof profileService>;
export default profileService;
