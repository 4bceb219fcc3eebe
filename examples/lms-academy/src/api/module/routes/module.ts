import { factories } from '@strapi/strapi';

/**
 * Read-only over REST: members write through the member routes, which take the acting member
 * from the JWT and keep the natural keys; core create/update/delete would bypass both.
 */
export default factories.createCoreRouter('api::module.module', { only: ['find', 'findOne'] });
