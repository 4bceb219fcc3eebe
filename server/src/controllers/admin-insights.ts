import type { Core } from '@strapi/strapi';
import {
  insightsProgressParamsSchema,
  insightsQuerySchema,
  memberParamsSchema,
  memberPointsQuerySchema,
} from '../../../common/admin-api';
import { leaderboardParamsSchema, leaderboardQuerySchema } from '../../../common/api';
import { getService } from '../utils/get-service';
import { parse } from './request';

/** Default windows of the Insights page: a quarter of weeks, a month of days. */
const DEFAULT_WEEKS = 12;
const DEFAULT_DAYS = 30;
const DEFAULT_POINTS_PAGE_SIZE = 20;

/**
 * Admin API of the Leaderboards and Insights pages and of a member's points history: parse,
 * then one service call each.
 */
const adminInsightsController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async overview(ctx: any) {
    const query = parse(insightsQuerySchema, ctx.query, 'parameter');
    ctx.body = {
      data: await getService(strapi, 'insights').overview({
        weeks: query.weeks ?? DEFAULT_WEEKS,
        days: query.days ?? DEFAULT_DAYS,
      }),
    };
  },

  async progress(ctx: any) {
    const { badge } = parse(
      insightsProgressParamsSchema,
      { badge: ctx.params?.badge },
      'parameter'
    );
    ctx.body = { data: await getService(strapi, 'insights').progress(badge) };
  },

  async boards(ctx: any) {
    ctx.body = { data: await getService(strapi, 'points').boards() };
  },

  /** A board as members see it (the content API's read, previewed for an admin). */
  async board(ctx: any) {
    const { board } = parse(leaderboardParamsSchema, { board: ctx.params?.board }, 'parameter');
    const query = parse(leaderboardQuerySchema, ctx.query, 'parameter');
    ctx.body = { data: await getService(strapi, 'leaderboards').board(board, query) };
  },

  async memberPoints(ctx: any) {
    const { id } = parse(memberParamsSchema, { id: ctx.params?.id }, 'parameter');
    const query = parse(memberPointsQuerySchema, ctx.query, 'parameter');
    ctx.body = {
      data: await getService(strapi, 'points').history(
        Number(id),
        query.page ?? 1,
        query.pageSize ?? DEFAULT_POINTS_PAGE_SIZE
      ),
    };
  },
});

export default adminInsightsController;
