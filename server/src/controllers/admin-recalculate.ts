import type { Core } from '@strapi/strapi';
import { recalculateSchema, type RecalculationStatus } from '../../../common/admin-api';
import { getService } from '../utils/get-service';
import { conflict, parse } from './request';

/** Admin API of the recalculation: start one, poll its progress. */
const adminRecalculateController = ({ strapi }: { strapi: Core.Strapi }) => {
  const status = async (): Promise<RecalculationStatus> => {
    const s = await getService(strapi, 'recalculation').status();
    if (!s) {
      return {
        status: 'idle',
        phase: null,
        total: 0,
        processed: 0,
        badges: null,
        notify: false,
        startedAt: null,
        updatedAt: null,
        finishedAt: null,
        error: null,
      };
    }
    return {
      status: s.status,
      phase: s.phase,
      total: s.total,
      processed: s.status === 'done' ? Math.max(s.processed, s.total) : s.processed,
      badges: s.badges,
      notify: s.notify,
      startedAt: s.startedAt,
      updatedAt: s.updatedAt,
      finishedAt: s.finishedAt,
      error: s.error,
    };
  };

  /** Two clicks at once in this process: the second is refused before the store is read. */
  let starting = false;

  return {
    async status(ctx: any) {
      ctx.body = { data: await status() };
    },

    async start(ctx: any) {
      const body = parse(recalculateSchema, ctx.request.body);
      if (starting) return conflict(ctx, 'a recalculation is already running');
      starting = true;
      try {
        const { done } = await getService(strapi, 'recalculation').start({
          badges: body.badges,
          notify: body.notify ?? false,
        });
        done.catch((error: unknown) =>
          strapi.log.error(`achievements: recalculation failed: ${error}`)
        );
      } catch (error: any) {
        if (error?.name === 'ApplicationError') return conflict(ctx, error.message);
        throw error;
      } finally {
        starting = false;
      }
      ctx.status = 202;
      ctx.body = { data: await status() };
    },
  };
};

export default adminRecalculateController;
