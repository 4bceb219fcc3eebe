import { factories } from '@strapi/strapi';

export default factories.createCoreService('api::lesson-completion.lesson-completion');
