import { ACTIONS, MEMBER_ACTIONS } from '../../../common/constants';

const p = (action: string) => [{ action, subject: null }];

export const PERMISSIONS = {
  settingsRead: p(ACTIONS.settingsRead),
  settingsUpdate: p(ACTIONS.settingsUpdate),
  badges: p(ACTIONS.badgesManage),
  award: p(ACTIONS.membersAward),
  revoke: p(ACTIONS.membersRevoke),
  recalculate: p(ACTIONS.recalculate),
  exportData: p(ACTIONS.membersExport),
  erase: p(ACTIONS.membersErase),
  adjustPoints: p(ACTIONS.pointsAdjust),
  leaderboards: p(ACTIONS.leaderboardsRead),
  insights: p(ACTIONS.insightsRead),
  /** The Members page opens for any members action; each button checks its own. */
  members: MEMBER_ACTIONS.flatMap(p),
  /** The main-menu link shows to anyone allowed one of the Achievements pages. */
  menu: [
    ...p(ACTIONS.badgesManage),
    ...MEMBER_ACTIONS.flatMap(p),
    ...p(ACTIONS.recalculate),
    ...p(ACTIONS.leaderboardsRead),
    ...p(ACTIONS.insightsRead),
  ],
};
