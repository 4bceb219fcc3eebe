import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  badgeAchievementParamsSchema as badgeParams,
  credentialParamsSchema as credentialParams,
  credentialQuerySchema as credentialQuery,
  keyParamsSchema as kidParams,
  noQuerySchema,
  statusListParamsSchema as listParams,
  userParamsSchema,
} from '../../../common/api';
import { getService } from '../utils/get-service';
import { parse } from './request';

export const VC_JWT = 'application/vc+jwt';
const LD_JSON = 'application/ld+json';

/**
 * Public credential routes (`auth: false`: wallets and verifiers have no account). The holder
 * is recognised from a users-permissions JWT when one is sent; a bad token is a 401, never a
 * silent anonymous read. Private keys never reach this layer: the service hands out public
 * material and stored signed documents only.
 */
const credentialsController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'credentials');

  /** The signed-in member, or null when no Authorization header is sent. */
  const viewer = async (ctx: any): Promise<number | null> => {
    if (!ctx.get('Authorization')) return null;
    let token: { id?: unknown } | null = null;
    try {
      token = await strapi.plugin('users-permissions').service('jwt').getToken(ctx);
    } catch {
      token = null;
    }
    if (!token || typeof token.id !== 'number') {
      throw new errors.UnauthorizedError('invalid or expired member token');
    }
    const user = await strapi
      .plugin('users-permissions')
      .service('user')
      .fetchAuthenticatedUser(token.id);
    if (!user || user.blocked) throw new errors.UnauthorizedError('invalid member token');
    return user.id;
  };

  /** Public, revalidated on every use: a revocation is seen at once, an unchanged one is a 304. */
  const send = (ctx: any, body: unknown, type: string, etag?: string) => {
    ctx.set('Cache-Control', 'public, no-cache');
    ctx.set('Access-Control-Allow-Origin', '*');
    if (etag) {
      ctx.set('ETag', etag);
      if (ctx.get('If-None-Match') === etag) {
        ctx.status = 304;
        return;
      }
    }
    ctx.type = type;
    ctx.body = typeof body === 'string' ? body : JSON.stringify(body);
  };

  return {
    async findOne(ctx: any) {
      const { achievementDocumentId } = parse(
        credentialParams,
        { achievementDocumentId: ctx.params?.achievementDocumentId },
        'parameter'
      );
      const { issue } = parse(credentialQuery, ctx.query, 'parameter');
      const viewerId = await viewer(ctx);
      const row = await service().forViewer(achievementDocumentId, viewerId, issue);
      const wantsJwt = ctx.accepts('application/json', LD_JSON, VC_JWT) === VC_JWT;
      // Per caller: a private profile's credential must not sit in a shared cache.
      ctx.vary('Accept');
      ctx.vary('Authorization');
      ctx.set('Cache-Control', viewerId === null ? 'public, no-cache' : 'private, no-cache');
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.type = wantsJwt ? VC_JWT : LD_JSON;
      ctx.body = wantsJwt ? row.jwt : JSON.stringify(row.document);
    },

    async listForMember(ctx: any) {
      const { userId } = parse(userParamsSchema, { userId: ctx.params?.userId }, 'parameter');
      parse(noQuerySchema, ctx.query, 'parameter');
      const viewerId = await viewer(ctx);
      const member = await getService(strapi, 'members').resolveVisible(userId, viewerId);
      const settings = (await getService(strapi, 'settings').get()).credentials;
      if (member.id !== viewerId && !settings.publicCredentials) {
        throw new errors.NotFoundError('this member’s credentials are not public');
      }
      ctx.set('Cache-Control', 'private, no-cache');
      ctx.body = { data: await service().listForMember(member.id) };
    },

    async did(ctx: any) {
      send(ctx, await service().didDocument(), 'application/did+json');
    },

    async jwks(ctx: any) {
      send(ctx, await service().jwks(), 'application/jwk-set+json');
    },

    async key(ctx: any) {
      const { kid } = parse(kidParams, { kid: ctx.params?.kid }, 'parameter');
      send(ctx, await service().jwk(kid), 'application/jwk+json');
    },

    async statusList(ctx: any) {
      const { id } = parse(listParams, { id: ctx.params?.id }, 'parameter');
      const { body, etag } = await service().statusList(id);
      send(ctx, body, LD_JSON, etag);
    },

    async achievement(ctx: any) {
      const { badgeDocumentId } = parse(
        badgeParams,
        { badgeDocumentId: ctx.params?.badgeDocumentId },
        'parameter'
      );
      send(ctx, await service().achievementOf(badgeDocumentId), LD_JSON);
    },
  };
};

export default credentialsController;
