import type { Core } from '@strapi/strapi';
import {
  DEFAULT_NOTIFICATIONS_PAGE,
  type Notification,
  type NotificationCount,
  type NotificationPage,
  type NotificationPayload,
  type NotificationsQuery,
  type NotificationsSeen,
  type NotificationsSeenBody,
} from '../../../common/api';
import { notificationStore, type NotificationRecord } from '../stores/notifications';

/** A notification as the member reads it (the row id stays inside: it is the cursor). */
export const notificationOf = (r: NotificationRecord): Notification => ({
  id: r.documentId,
  kind: r.kind,
  payload: r.payload as NotificationPayload,
  createdAt: r.createdAt.toISOString(),
  seenAt: r.seenAt ? r.seenAt.toISOString() : null,
});

/**
 * A member's own notifications: the list (newest first, by cursor), the unseen count, and
 * marking them seen. Every call names the member it is for; nothing here reads another's.
 * The outbox writes them (see outbox.record).
 */
const notificationsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => notificationStore(strapi);
  return {
    async page(userId: number, query: NotificationsQuery): Promise<NotificationPage> {
      const limit = query.limit ?? DEFAULT_NOTIFICATIONS_PAGE;
      // One more than asked: whether an older page exists, without a count.
      const rows = await store().page(userId, {
        unseen: query.unseen,
        limit: limit + 1,
        before: query.cursor,
      });
      const data = rows.slice(0, limit);
      return {
        data: data.map(notificationOf),
        nextCursor: rows.length > limit ? String(data[data.length - 1].id) : null,
      };
    },

    async count(userId: number): Promise<NotificationCount> {
      return { unseen: await store().countUnseen(userId) };
    },

    async markSeen(userId: number, body: NotificationsSeenBody): Promise<NotificationsSeen> {
      const updated = await store().markSeen(userId, 'all' in body ? { all: true } : body);
      return { updated, unseen: await store().countUnseen(userId) };
    },
  };
};

export default notificationsService;
