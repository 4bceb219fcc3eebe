import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../../../common/constants';
import { eventVocabulary } from '../config/events';
import type { ResolvedConfig } from '../config/resolve';

/** The plugin config in force: the user's, with the app-dependent defaults resolved in register. */
export const pluginConfig = (strapi: Core.Strapi): ResolvedConfig =>
  strapi.config.get(`plugin::${PLUGIN_ID}`) as ResolvedConfig;

/** The events this app produces and their retractions (see config/events.ts). */
export const appEvents = (strapi: Core.Strapi) => eventVocabulary(pluginConfig(strapi));
