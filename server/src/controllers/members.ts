import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  featuredBodySchema,
  noQuerySchema,
  preferencesBodySchema,
  privacyBodySchema,
  userParamsSchema,
  type Card,
  type FeaturedResponse,
  type MemberAchievements,
  type PreferencesResponse,
  type PrivacyResponse,
} from '../../../common/api';
import { getService } from '../utils/get-service';
import { parse, sendExport, signedInMember, viewerOf } from './request';

/**
 * Content API: a member's card and achievements (`/users/:userId[/card]`), the caller's own
 * (`/me`), and the caller's preferences. Thin: validation here, everything else in the
 * members service and the card and member page read models.
 */
const membersController = ({ strapi }: { strapi: Core.Strapi }) => {
  const members = () => getService(strapi, 'members');

  const visibleMember = async (ctx: any) => {
    // Only the route's own parameter: the router may add positional captures of its prefix.
    const { userId } = parse(userParamsSchema, { userId: ctx.params?.userId }, 'parameter');
    parse(noQuerySchema, ctx.query, 'parameter');
    return members().resolveVisible(userId, viewerOf(ctx));
  };

  return {
    async card(ctx: any) {
      const member = await visibleMember(ctx);
      const body: Card = await getService(strapi, 'card').of(member, viewerOf(ctx));
      ctx.body = body;
    },

    async findOne(ctx: any) {
      const member = await visibleMember(ctx);
      const body: MemberAchievements = await getService(strapi, 'memberPage').of(
        member,
        viewerOf(ctx)
      );
      ctx.body = body;
    },

    async me(ctx: any) {
      parse(noQuerySchema, ctx.query, 'parameter');
      const id = signedInMember(ctx);
      const member = await members().findMember({ id });
      if (!member) throw new errors.UnauthorizedError('sign in as a member');
      const body: MemberAchievements = await getService(strapi, 'memberPage').of(member, id);
      ctx.body = body;
    },

    async setFeatured(ctx: any) {
      const id = signedInMember(ctx);
      parse(noQuerySchema, ctx.query, 'parameter');
      const { badges } = parse(featuredBodySchema, ctx.request.body, 'field');
      const body: FeaturedResponse = await members().setFeatured(id, badges);
      ctx.body = body;
    },

    /** Every row the plugin holds about the caller, streamed as one JSON document. */
    async exportMine(ctx: any) {
      parse(noQuerySchema, ctx.query, 'parameter');
      const id = signedInMember(ctx);
      await sendExport(ctx, await getService(strapi, 'privacy').exportStream(id), id);
    },

    async setPrivacy(ctx: any) {
      const id = signedInMember(ctx);
      parse(noQuerySchema, ctx.query, 'parameter');
      const choice = parse(privacyBodySchema, ctx.request.body, 'field');
      const body: PrivacyResponse = await members().setPrivacy(id, choice);
      ctx.body = body;
    },

    async setPreferences(ctx: any) {
      const id = signedInMember(ctx);
      parse(noQuerySchema, ctx.query, 'parameter');
      const values = parse(preferencesBodySchema, ctx.request.body, 'field');
      const body: PreferencesResponse = await getService(strapi, 'digests').savePreferences(
        id,
        values
      );
      ctx.body = body;
    },
  };
};

export default membersController;
