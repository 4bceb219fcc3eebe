import settings from './settings';
import config from './config';
import events from './events';
import members from './members';
import badges from './badges';
import openapi from './openapi';
import adminBadges from './admin-badges';
import adminCategories from './admin-categories';
import adminMembers from './admin-members';
import adminRecalculate from './admin-recalculate';
import credentials from './credentials';
import adminCredentials from './admin-credentials';
import notifications from './notifications';
import digests from './digests';
import leaderboards from './leaderboards';
import adminInsights from './admin-insights';
import { refuseNul } from './request';

type Action = (ctx: any, next?: () => Promise<unknown>) => unknown;
type ControllerFactory = (deps: { strapi: any }) => Record<string, unknown>;

/**
 * Every action of a controller, checking the request for U+0000 first: one check for every
 * route, admin and content API, whatever the action parses (see refuseNul).
 */
const refusingNul = <F extends ControllerFactory>(factory: F): F =>
  ((deps: { strapi: any }) => {
    const controller = factory(deps);
    for (const [name, action] of Object.entries(controller)) {
      if (typeof action !== 'function') continue;
      controller[name] = function (this: unknown, ctx: any, next?: () => Promise<unknown>) {
        refuseNul(ctx);
        return (action as Action).call(this ?? controller, ctx, next);
      };
    }
    return controller;
  }) as F;

export default {
  settings: refusingNul(settings),
  config: refusingNul(config),
  events: refusingNul(events),
  members: refusingNul(members),
  badges: refusingNul(badges),
  openapi: refusingNul(openapi),
  'admin-badges': refusingNul(adminBadges),
  'admin-categories': refusingNul(adminCategories),
  'admin-members': refusingNul(adminMembers),
  'admin-recalculate': refusingNul(adminRecalculate),
  credentials: refusingNul(credentials),
  'admin-credentials': refusingNul(adminCredentials),
  notifications: refusingNul(notifications),
  digests: refusingNul(digests),
  leaderboards: refusingNul(leaderboards),
  'admin-insights': refusingNul(adminInsights),
};
