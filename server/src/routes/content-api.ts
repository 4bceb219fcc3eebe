/**
 * Content-API routes under `/api/achievements`. String handlers make users-permissions expose
 * each one as the action `plugin::achievements.<controller>.<action>`.
 */
export default {
  type: 'content-api',
  routes: [{ method: 'GET', path: '/config', handler: 'config.get', config: { policies: [] } }],
};
