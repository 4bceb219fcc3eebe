import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { z } from 'zod';
import {
  featuredBodySchema,
  noQuerySchema,
  parseRequest,
  privacyBodySchema,
  userParamsSchema,
  type Card,
  type FeaturedResponse,
  type MemberAchievements,
  type PrivacyResponse,
} from '../../../common/api';
import { getService } from '../utils/get-service';

/** Parses request input or answers 400 naming the parameter or field. */
export const validated = <T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: 'parameter' | 'field'
): z.output<T> => {
  const result = parseRequest(schema, input, what);
  if (!result.ok) throw new errors.ValidationError(result.message, { errors: result.errors });
  return result.data;
};

/**
 * The member making the request, or null. Only a users-permissions JWT names a member: an API
 * token's credentials are the token itself, never a user, whatever `ctx.state` holds.
 */
export const viewerOf = (ctx: any): number | null => {
  if (ctx.state?.auth?.strategy?.name !== 'users-permissions') return null;
  const id = ctx.state.user?.id;
  return typeof id === 'number' && Number.isInteger(id) ? id : null;
};

/** Strapi 5's API-token strategy; older releases named it `api-token`. */
const TOKEN_STRATEGIES = new Set(['content-api-token', 'api-token']);

/**
 * The signed-in member, or an error: 403 for an API token (authenticated, but not a member),
 * 401 otherwise. Strapi's authorize step turns both into its generic bodies.
 */
const signedInMember = (ctx: any): number => {
  const id = viewerOf(ctx);
  if (id !== null) return id;
  if (TOKEN_STRATEGIES.has(ctx.state?.auth?.strategy?.name)) {
    throw new errors.ForbiddenError('an API token is not a member: sign in as a member');
  }
  throw new errors.UnauthorizedError('sign in as a member');
};

/**
 * Content API: a member's card and achievements (`/users/:userId[/card]`), the caller's own
 * (`/me`), and the caller's preferences. Thin: validation here, everything else in the
 * members service.
 */
const membersController = ({ strapi }: { strapi: Core.Strapi }) => {
  const members = () => getService(strapi, 'members');

  const visibleMember = async (ctx: any) => {
    // Only the route's own parameter: the router may add positional captures of its prefix.
    const { userId } = validated(userParamsSchema, { userId: ctx.params?.userId }, 'parameter');
    validated(noQuerySchema, ctx.query, 'parameter');
    return members().resolveVisible(userId, viewerOf(ctx));
  };

  return {
    async card(ctx: any) {
      const member = await visibleMember(ctx);
      const body: Card = await members().card(member, viewerOf(ctx));
      ctx.body = body;
    },

    async findOne(ctx: any) {
      const member = await visibleMember(ctx);
      const body: MemberAchievements = await members().achievements(member, viewerOf(ctx));
      ctx.body = body;
    },

    async me(ctx: any) {
      validated(noQuerySchema, ctx.query, 'parameter');
      const id = signedInMember(ctx);
      const member = await members().findMember({ id });
      if (!member) throw new errors.UnauthorizedError('sign in as a member');
      const body: MemberAchievements = await members().achievements(member, id);
      ctx.body = body;
    },

    async setFeatured(ctx: any) {
      const id = signedInMember(ctx);
      validated(noQuerySchema, ctx.query, 'parameter');
      const { badges } = validated(featuredBodySchema, ctx.request.body, 'field');
      const body: FeaturedResponse = await members().setFeatured(id, badges);
      ctx.body = body;
    },

    async setPrivacy(ctx: any) {
      const id = signedInMember(ctx);
      validated(noQuerySchema, ctx.query, 'parameter');
      const { public: isPublic } = validated(privacyBodySchema, ctx.request.body, 'field');
      const body: PrivacyResponse = await members().setPrivacy(id, isPublic);
      ctx.body = body;
    },
  };
};

export default membersController;
