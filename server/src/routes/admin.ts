import { ACTIONS } from '../../../common/constants';

const guard = (action: string) => ({
  policies: [
    'admin::isAuthenticatedAdmin',
    { name: 'admin::hasPermissions', config: { actions: [action] } },
  ],
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
  ],
};
