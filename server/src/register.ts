import type { Core } from '@strapi/strapi';
import { getService } from './utils/get-service';

/** Before the database exists: the document-service middleware that turns writes into events. */
const register = ({ strapi }: { strapi: Core.Strapi }) => {
  getService(strapi, 'triggers').registerDocumentMiddleware();
};

export default register;
