import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { MAX_ROW_ID } from '../../../common/api';
import { UID } from '../../../common/constants';
import { getService } from '../utils/get-service';
import { KeyConflictError } from '../services/events';
import { conflict, requireApiToken } from './request';

/**
 * `POST /api/achievements/events`: other back-ends push facts they own. Only API tokens may
 * call it — even if a role is granted the action, a member's JWT is refused, or members could
 * award themselves badges.
 */
const eventsController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async ingest(ctx: any) {
    requireApiToken(ctx, 'events can only be sent with an API token');
    const body = ctx.request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new errors.ValidationError('body: must be a JSON object', {
        errors: [{ path: 'body', message: 'must be a JSON object' }],
      });
    }
    const { userId, ...rest } = body as Record<string, unknown>;
    const numeric = typeof userId === 'string' && /^\d+$/.test(userId) ? Number(userId) : userId;
    if (typeof numeric === 'number' && Number.isInteger(numeric) && numeric > MAX_ROW_ID) {
      // PostgreSQL's integer id column refuses larger numbers: no member can have one.
      const message = `must be a member id (at most ${MAX_ROW_ID}) or documentId`;
      throw new errors.ValidationError(`userId: ${message}`, {
        errors: [{ path: 'userId', message }],
      });
    }
    let id: unknown = userId;
    if (typeof userId === 'string' && userId.length > 0 && userId.length <= 64) {
      // A users-permissions documentId, or a numeric id sent as a string.
      const user = await strapi.db.query(UID.user).findOne({
        where: /^\d+$/.test(userId) ? { id: Number(userId) } : { documentId: userId },
        select: ['id'],
      });
      if (!user) throw new errors.NotFoundError(`userId: no member ${userId}`);
      id = user.id;
    } else if (typeof userId === 'number' && Number.isInteger(userId) && userId > 0) {
      const user = await strapi.db
        .query(UID.user)
        .findOne({ where: { id: userId }, select: ['id'] });
      if (!user) throw new errors.NotFoundError(`userId: no member ${userId}`);
    }
    let result;
    try {
      result = await getService(strapi, 'events').record({
        ...(rest as any),
        userId: id,
        source: 'api',
      });
    } catch (error) {
      if (error instanceof KeyConflictError) return conflict(ctx, error.message, error.details);
      throw error;
    }
    ctx.status = 202;
    ctx.body = result;
  },
});

export default eventsController;
