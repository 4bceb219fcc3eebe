import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../../common/constants';
import { resolveConfig, type ModelLookup } from './config/resolve';
import type { PluginConfig } from './config/schema';
import { getService } from './utils/get-service';
import { repairEventDates } from './stores/ledger-repair';

/**
 * Before the database exists: the config checked against the app's models (a trigger or field
 * the app lacks stops Strapi here, naming what to add), then the document-service middleware
 * that turns writes into events, and the repair that must run before Strapi syncs the schema.
 */
const register = ({ strapi }: { strapi: Core.Strapi }) => {
  const model: ModelLookup = (uid) => strapi.getModel(uid as any) as ReturnType<ModelLookup>;
  const config = strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  strapi.config.set(`plugin::${PLUGIN_ID}`, resolveConfig(config, model));
  getService(strapi, 'triggers').registerDocumentMiddleware();
  strapi.hook('strapi::content-types.beforeSync').register(() => repairEventDates(strapi));
};

export default register;
