import { factories } from '@strapi/strapi';

/**
 * Read-only over REST and granted to no role by default (an admin or an API token may read).
 * Rows are written only by the app's services, which fill the unique natural key.
 */
export default factories.createCoreRouter('api::module-completion.module-completion', {
  only: ['find', 'findOne'],
});
