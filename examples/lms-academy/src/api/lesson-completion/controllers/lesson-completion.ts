import { factories } from '@strapi/strapi';

export default factories.createCoreController('api::lesson-completion.lesson-completion');
