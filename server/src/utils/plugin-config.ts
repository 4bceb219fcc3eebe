import type { Core } from '@strapi/strapi';
import { PLUGIN_ID } from '../../../common/constants';
import type { ResolvedConfig } from '../config/resolve';

/** The plugin config in force: the user's, with the app-dependent defaults resolved in register. */
export const pluginConfig = (strapi: Core.Strapi): ResolvedConfig =>
  strapi.config.get(`plugin::${PLUGIN_ID}`) as ResolvedConfig;
