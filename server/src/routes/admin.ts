import { ACTIONS, MEMBER_ACTIONS } from '../../../common/constants';

const guard = (action: string) => ({
  policies: [
    'admin::isAuthenticatedAdmin',
    { name: 'admin::hasPermissions', config: { actions: [action] } },
  ],
});

/** For reads the Members page needs, whichever of the members actions the role has. */
const guardAny = (actions: string[]) => ({
  policies: [
    'admin::isAuthenticatedAdmin',
    { name: 'plugin::achievements.has-any-permission', config: { actions } },
  ],
});

const r = (method: string, path: string, handler: string, action: string | string[]) => ({
  method,
  path,
  handler,
  config: Array.isArray(action) ? guardAny(action) : guard(action),
});

/** Admin routes, served at `/achievements/...` (Strapi adds no `/admin` prefix). */
export default {
  type: 'admin',
  routes: [
    {
      method: 'GET',
      path: '/settings',
      handler: 'settings.get',
      config: guard(ACTIONS.settingsRead),
    },
    {
      method: 'PUT',
      path: '/settings',
      handler: 'settings.update',
      config: guard(ACTIONS.settingsUpdate),
    },
    {
      method: 'GET',
      path: '/settings/meta',
      handler: 'admin-badges.meta',
      config: guard(ACTIONS.settingsRead),
    },
    // --- badges (badges.manage) ---
    r('GET', '/meta', 'admin-badges.meta', ACTIONS.badgesManage),
    r('GET', '/badges', 'admin-badges.find', [ACTIONS.badgesManage, ...MEMBER_ACTIONS]),
    r('POST', '/badges', 'admin-badges.create', ACTIONS.badgesManage),
    r('PUT', '/badges/order', 'admin-badges.reorder', ACTIONS.badgesManage),
    r('POST', '/badges/dry-run', 'admin-badges.dryRun', ACTIONS.badgesManage),
    r('GET', '/badges/:id', 'admin-badges.findOne', ACTIONS.badgesManage),
    r('PUT', '/badges/:id', 'admin-badges.update', ACTIONS.badgesManage),
    r('POST', '/badges/:id/duplicate', 'admin-badges.duplicate', ACTIONS.badgesManage),
    r('DELETE', '/badges/:id', 'admin-badges.delete', ACTIONS.badgesManage),
    // --- categories (badges.manage) ---
    r('GET', '/categories', 'admin-categories.find', ACTIONS.badgesManage),
    r('POST', '/categories', 'admin-categories.create', ACTIONS.badgesManage),
    r('PUT', '/categories/order', 'admin-categories.reorder', ACTIONS.badgesManage),
    r('PUT', '/categories/:id', 'admin-categories.update', ACTIONS.badgesManage),
    // --- members (search and a member's page: any members action; award / revoke) ---
    r('GET', '/members', 'admin-members.find', MEMBER_ACTIONS),
    r('POST', '/members/bulk-award', 'admin-members.bulkAward', ACTIONS.membersAward),
    r('GET', '/members/:id', 'admin-members.findOne', MEMBER_ACTIONS),
    r('POST', '/members/:id/award', 'admin-members.award', ACTIONS.membersAward),
    r('POST', '/members/:id/revoke', 'admin-members.revoke', ACTIONS.membersRevoke),
    r('POST', '/members/:id/points', 'admin-members.adjustPoints', ACTIONS.pointsAdjust),
    r('GET', '/members/:id/points', 'admin-insights.memberPoints', [
      ...MEMBER_ACTIONS,
      ACTIONS.pointsAdjust,
    ]),
    // --- leaderboards and insights ---
    r('GET', '/leaderboards', 'admin-insights.boards', ACTIONS.leaderboardsRead),
    r('GET', '/leaderboards/:board', 'admin-insights.board', ACTIONS.leaderboardsRead),
    r('GET', '/insights', 'admin-insights.overview', ACTIONS.insightsRead),
    r('GET', '/insights/progress/:badge', 'admin-insights.progress', ACTIONS.insightsRead),
    // --- Open Badges credentials ---
    r('GET', '/credentials', 'admin-credentials.status', ACTIONS.settingsRead),
    r('PUT', '/credentials/settings', 'admin-credentials.update', ACTIONS.settingsUpdate),
    r('POST', '/credentials/keys/rotate', 'admin-credentials.rotate', ACTIONS.settingsUpdate),
    r('GET', '/credentials/members/:id', 'admin-credentials.member', MEMBER_ACTIONS),
    // --- a member's data (export / erase) ---
    r('GET', '/members/:id/export', 'admin-members.exportData', ACTIONS.membersExport),
    r('GET', '/members/:id/erase', 'admin-members.erasePreview', ACTIONS.membersErase),
    r('POST', '/members/:id/erase', 'admin-members.erase', ACTIONS.membersErase),
    r('DELETE', '/members/:id/tombstone', 'admin-members.liftTombstone', ACTIONS.membersErase),
    r('GET', '/erasures', 'admin-members.erasures', ACTIONS.membersErase),
    // --- recalculation ---
    r('GET', '/recalculate', 'admin-recalculate.status', ACTIONS.recalculate),
    r('POST', '/recalculate', 'admin-recalculate.start', ACTIONS.recalculate),
  ],
};
