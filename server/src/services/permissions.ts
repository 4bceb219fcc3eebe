import type { Core } from '@strapi/strapi';
import { ACTIONS, CONTENT_API_ACTIONS, PLUGIN_ID } from '../../../common/constants';

/** What the admin's Roles page lists for this plugin. */
const ADMIN_ACTIONS = [
  { uid: 'settings.read', displayName: 'Read settings', subCategory: 'settings' },
  { uid: 'settings.update', displayName: 'Update settings', subCategory: 'settings' },
  { uid: 'badges.manage', displayName: 'Manage badges and categories', subCategory: 'badges' },
  { uid: 'members.award', displayName: 'Award badges by hand', subCategory: 'members' },
  { uid: 'members.revoke', displayName: 'Revoke achievements', subCategory: 'members' },
  { uid: 'members.export', displayName: "Export a member's data", subCategory: 'members' },
  { uid: 'members.erase', displayName: "Erase a member's data", subCategory: 'members' },
  { uid: 'recalculate', displayName: 'Run recalculation', subCategory: 'recalculate' },
  { uid: 'points.adjust', displayName: "Adjust a member's points", subCategory: 'points' },
  { uid: 'leaderboards.read', displayName: 'Read leaderboards', subCategory: 'points' },
  { uid: 'insights.read', displayName: 'Read insights', subCategory: 'insights' },
] as const;

/** users-permissions actions granted once, on the first start that knows them. */
const PUBLIC_READS = [
  CONTENT_API_ACTIONS.config,
  CONTENT_API_ACTIONS.badges,
  CONTENT_API_ACTIONS.card,
  CONTENT_API_ACTIONS.user,
  CONTENT_API_ACTIONS.leaderboard,
];
/** An EventSource sends no Authorization header: the stream's ticket names the member. */
const TICKET_READS = [CONTENT_API_ACTIONS.notificationsStream];
/** `events` is granted to no role: only API tokens push events. */
const DEFAULT_GRANTS: Record<'public' | 'authenticated', string[]> = {
  public: [...PUBLIC_READS, ...TICKET_READS],
  authenticated: [
    ...PUBLIC_READS,
    CONTENT_API_ACTIONS.me,
    CONTENT_API_ACTIONS.featured,
    CONTENT_API_ACTIONS.privacy,
    CONTENT_API_ACTIONS.export,
    CONTENT_API_ACTIONS.notifications,
    CONTENT_API_ACTIONS.notificationsCount,
    CONTENT_API_ACTIONS.notificationsSeen,
    CONTENT_API_ACTIONS.preferences,
    CONTENT_API_ACTIONS.rank,
    CONTENT_API_ACTIONS.notificationsStreamTicket,
    ...TICKET_READS,
  ],
};

const permissionsService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async registerAdminActions() {
    // Keep ACTIONS and the registered uids in step: a typo here would make a route unreachable.
    const registered = ADMIN_ACTIONS.map((a) => `plugin::${PLUGIN_ID}.${a.uid}`);
    const missing = Object.values(ACTIONS).filter((id) => !registered.includes(id));
    if (missing.length) throw new Error(`RBAC actions without registration: ${missing.join(', ')}`);

    await strapi.service('admin::permission').actionProvider.registerMany(
      ADMIN_ACTIONS.map((a) => ({
        section: 'plugins',
        pluginName: PLUGIN_ID,
        uid: a.uid,
        displayName: a.displayName,
        subCategory: a.subCategory,
      }))
    );
  },

  /**
   * Grants the default content-API actions to the Public and Authenticated roles, each action
   * once ever: an admin who later removes one in Users & Permissions keeps it removed.
   */
  async grantDefaultContentApiPermissions() {
    const store = strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'granted-actions' });
    const granted = new Set<string>(((await store.get({})) as string[] | null) ?? []);
    let changed = false;

    for (const [roleType, actions] of Object.entries(DEFAULT_GRANTS)) {
      const role = await strapi.db
        .query('plugin::users-permissions.role')
        .findOne({ where: { type: roleType } });
      if (!role) continue;
      for (const action of actions) {
        const marker = `${roleType}:${action}`;
        if (granted.has(marker)) continue;
        const existing = await strapi.db
          .query('plugin::users-permissions.permission')
          .findOne({ where: { action, role: role.id } });
        if (!existing) {
          await strapi.db
            .query('plugin::users-permissions.permission')
            .create({ data: { action, role: role.id } });
        }
        granted.add(marker);
        changed = true;
      }
    }
    if (changed) await store.set({ value: [...granted] });
  },
});

export default permissionsService;
