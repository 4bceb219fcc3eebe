import type { Core } from '@strapi/strapi';
import {
  noQuerySchema,
  notificationsQuerySchema,
  notificationsSeenBodySchema,
  type NotificationCount,
  type NotificationPage,
  type NotificationsSeen,
} from '../../../common/api';
import { getService } from '../utils/get-service';
import { parse, signedInMember } from './request';

/**
 * Content API: the caller's own notifications (`/me/notifications…`). Each action reads the
 * member from the token, never from the request, so no one can name another member.
 */
const notificationsController = ({ strapi }: { strapi: Core.Strapi }) => {
  const notifications = () => getService(strapi, 'notifications');
  return {
    async find(ctx: any) {
      const id = signedInMember(ctx);
      const query = parse(notificationsQuerySchema, ctx.query, 'parameter');
      const body: NotificationPage = await notifications().page(id, query);
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = body;
    },

    async count(ctx: any) {
      const id = signedInMember(ctx);
      parse(noQuerySchema, ctx.query, 'parameter');
      const body: NotificationCount = await notifications().count(id);
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = body;
    },

    async markSeen(ctx: any) {
      const id = signedInMember(ctx);
      parse(noQuerySchema, ctx.query, 'parameter');
      const which = parse(notificationsSeenBodySchema, ctx.request.body, 'field');
      const body: NotificationsSeen = await notifications().markSeen(id, which);
      ctx.body = body;
    },
  };
};

export default notificationsController;
