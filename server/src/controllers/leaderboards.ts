import type { Core } from '@strapi/strapi';
import {
  leaderboardParamsSchema,
  leaderboardQuerySchema,
  rankQuerySchema,
  type Leaderboard,
  type Rank,
} from '../../../common/api';
import { getService } from '../utils/get-service';
import { parse, signedInMember } from './request';

/** Content API: a board's page (public) and the caller's own rank (`/me/rank`). */
const leaderboardsController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async findOne(ctx: any) {
    const { board } = parse(leaderboardParamsSchema, { board: ctx.params?.board }, 'parameter');
    const query = parse(leaderboardQuerySchema, ctx.query, 'parameter');
    const body: Leaderboard = await getService(strapi, 'leaderboards').board(board, query);
    ctx.body = body;
  },

  async myRank(ctx: any) {
    const id = signedInMember(ctx);
    const query = parse(rankQuerySchema, ctx.query, 'parameter');
    const rank = await getService(strapi, 'leaderboards').rank(id, query);
    // The authenticated user is already loaded: the member's names cost no read.
    const { documentId, username } = ctx.state.user ?? {};
    const body: Rank = { ...rank, user: { id, documentId, username } };
    ctx.body = body;
  },
});

export default leaderboardsController;
