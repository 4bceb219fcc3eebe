import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import { profileUpdateSchema } from '../../../academy/profile-schema';
import { actingMemberId, parseOr400, requestBody } from '../../../academy/http';
import { academyService } from '../../../academy/services';

/** `GET|PUT /api/profile`: the caller's own profile; there is no way to name another member. */
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
});

export default profileController;
