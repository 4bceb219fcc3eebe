import type { Core } from '@strapi/strapi';
import {
  noQuerySchema,
  notificationStreamQuerySchema,
  notificationsQuerySchema,
  notificationsSeenBodySchema,
  rowCursor,
  type NotificationCount,
  type NotificationPage,
  type NotificationsSeen,
  type StreamTicket,
} from '../../../common/api';
import { getService } from '../utils/get-service';
import { parse, signedInMember, unauthorized, viewerOf } from './request';

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

    /** A single-use ticket for the stream (an EventSource cannot send the JWT). */
    async streamTicket(ctx: any) {
      const id = signedInMember(ctx);
      parse(noQuerySchema, ctx.query, 'parameter');
      const body: StreamTicket = getService(strapi, 'streamTickets').issue(id);
      ctx.set('Cache-Control', 'private, no-store');
      ctx.body = body;
    },

    /**
     * Server-Sent Events of the member's new notifications. The member is the ticket's, or the
     * JWT's when the client could send one; never a parameter.
     */
    async stream(ctx: any) {
      const query = parse(notificationStreamQuerySchema, ctx.query, 'parameter');
      // No ticket: the JWT's member (a client that sends headers), an API token's 403, or
      // without any credentials a 401 that says how to get a ticket.
      let member = query.ticket === undefined ? viewerOf(ctx) : null;
      if (member === null) {
        if (query.ticket === undefined && ctx.get('Authorization')) signedInMember(ctx);
        const redeemed = await getService(strapi, 'streamTickets').redeem(query.ticket);
        if ('refused' in redeemed) return unauthorized(ctx, redeemed.refused);
        member = redeemed.userId;
      }
      // The header as the query parameter is read; one that is not an event id is ignored.
      const header = rowCursor('Last-Event-ID', 'not an event id', 0).safeParse(
        ctx.get('Last-Event-ID')
      );
      const lastEventId = header.success ? header.data : query.lastEventId;
      const body = await getService(strapi, 'notificationStream').open(member, lastEventId);
      // A long-lived response: no socket timeout, no buffering by a proxy on the way.
      ctx.req.socket.setTimeout(0);
      ctx.req.socket.setNoDelay(true);
      ctx.set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Accel-Buffering': 'no',
      });
      ctx.status = 200;
      ctx.body = body;
    },
  };
};

export default notificationsController;
