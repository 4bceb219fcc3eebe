/**
 * One place for every identifier the server and the admin panel share, so the two sides never
 * spell a plugin id, a content-type UID or an RBAC action differently.
 */
export const PLUGIN_ID = 'achievements' as const;

export const UID = {
  badge: 'plugin::achievements.badge',
  category: 'plugin::achievements.category',
  achievement: 'plugin::achievements.achievement',
  progress: 'plugin::achievements.progress',
  streak: 'plugin::achievements.streak',
  event: 'plugin::achievements.event',
  preference: 'plugin::achievements.preference',
  credential: 'plugin::achievements.credential',
  credentialKey: 'plugin::achievements.credential-key',
  statusList: 'plugin::achievements.status-list',
  erasure: 'plugin::achievements.erasure',
  tombstone: 'plugin::achievements.tombstone',
  notification: 'plugin::achievements.notification',
  digest: 'plugin::achievements.digest',
  point: 'plugin::achievements.point',
  pointTotal: 'plugin::achievements.point-total',
  streamTicket: 'plugin::achievements.stream-ticket',
  user: 'plugin::users-permissions.user',
} as const;

/** Admin RBAC actions (registered with Strapi's action provider). */
export const ACTIONS = {
  settingsRead: 'plugin::achievements.settings.read',
  settingsUpdate: 'plugin::achievements.settings.update',
  badgesManage: 'plugin::achievements.badges.manage',
  membersAward: 'plugin::achievements.members.award',
  membersRevoke: 'plugin::achievements.members.revoke',
  membersExport: 'plugin::achievements.members.export',
  membersErase: 'plugin::achievements.members.erase',
  recalculate: 'plugin::achievements.recalculate',
  pointsAdjust: 'plugin::achievements.points.adjust',
  leaderboardsRead: 'plugin::achievements.leaderboards.read',
  insightsRead: 'plugin::achievements.insights.read',
} as const;

/** Any of these opens the Members page (each action on it still needs its own). */
export const MEMBER_ACTIONS = [
  ACTIONS.membersAward,
  ACTIONS.membersRevoke,
  ACTIONS.membersExport,
  ACTIONS.membersErase,
];

/** users-permissions actions of the content API (`plugin::achievements.<controller>.<action>`). */
export const CONTENT_API_ACTIONS = {
  config: 'plugin::achievements.config.get',
  badges: 'plugin::achievements.badges.find',
  card: 'plugin::achievements.members.card',
  user: 'plugin::achievements.members.findOne',
  me: 'plugin::achievements.members.me',
  featured: 'plugin::achievements.members.setFeatured',
  privacy: 'plugin::achievements.members.setPrivacy',
  export: 'plugin::achievements.members.exportMine',
  events: 'plugin::achievements.events.ingest',
  notifications: 'plugin::achievements.notifications.find',
  notificationsCount: 'plugin::achievements.notifications.count',
  notificationsSeen: 'plugin::achievements.notifications.markSeen',
  preferences: 'plugin::achievements.members.setPreferences',
  leaderboard: 'plugin::achievements.leaderboards.findOne',
  rank: 'plugin::achievements.leaderboards.myRank',
  notificationsStreamTicket: 'plugin::achievements.notifications.streamTicket',
  notificationsStream: 'plugin::achievements.notifications.stream',
} as const;

export const CARD_POSITIONS = ['side', 'main', 'header'] as const;
export type CardPosition = (typeof CARD_POSITIONS)[number];

export const BADGE_TIERS = ['bronze', 'silver', 'gold', 'platinum'] as const;
export type BadgeTier = (typeof BADGE_TIERS)[number];
