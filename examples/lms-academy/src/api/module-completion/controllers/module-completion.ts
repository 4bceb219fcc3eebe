import { factories } from '@strapi/strapi';

export default factories.createCoreController('api::module-completion.module-completion');
