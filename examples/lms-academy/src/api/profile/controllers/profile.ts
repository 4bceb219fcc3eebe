import fs from 'fs';
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import { profileUpdateSchema } from '../../../academy/profile-schema';
import { actingMemberId, parseOr400, requestBody } from '../../../academy/http';
import { academyService } from '../../../academy/services';
import type { UploadedFile } from '../services/profile';

/** Every file of a multipart request, whatever its field, so none is left in the temp folder. */
const filesOf = (ctx: Context): UploadedFile[] => {
  const files = (ctx.request as { files?: Record<string, UploadedFile | UploadedFile[]> }).files;
  return Object.values(files ?? {}).flat();
};

/**
 * `GET|PUT /api/profile` and `POST /api/profile/avatar`: the caller's own profile; there is no
 * way to name another member.
 */
const profileController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async me(ctx: Context) {
    const profile = await academyService(strapi, 'api::profile.profile').get(actingMemberId(ctx));
    if (!profile) throw new errors.NotFoundError('No such member');
    ctx.body = profile;
  },

  async update(ctx: Context) {
    const userId = actingMemberId(ctx);
    const update = parseOr400(profileUpdateSchema, requestBody(ctx));
    ctx.body = await academyService(strapi, 'api::profile.profile').update(userId, update);
  },

  /** Multipart, one image in the field `files` (as Strapi's own upload route names it). */
  async uploadAvatar(ctx: Context) {
    const all = filesOf(ctx);
    try {
      const userId = actingMemberId(ctx);
      const field = (ctx.request as { files?: Record<string, unknown> }).files?.files;
      if (all.length !== 1 || !field || Array.isArray(field)) {
        throw new errors.ValidationError(
          'files: send exactly one image in the multipart field "files"',
          {
            errors: [
              { path: 'files', message: 'send exactly one image in the multipart field "files"' },
            ],
          }
        );
      }
      ctx.body = await academyService(strapi, 'api::profile.profile').uploadAvatar(userId, all[0]);
    } finally {
      // Strapi removes only the field "files"; the upload service copied what it keeps.
      await Promise.all(all.map((file) => fs.promises.rm(file.filepath, { force: true })));
    }
  },
});

export default profileController;
