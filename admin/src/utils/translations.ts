import { PLUGIN_ID } from '../../../common/constants';

/** Every visible string's key is prefixed by the plugin id. */
export const getTranslation = (id: string) => `${PLUGIN_ID}.${id}`;

export const prefixPluginTranslations = (trad: Record<string, string>) =>
  Object.fromEntries(Object.entries(trad).map(([key, value]) => [getTranslation(key), value]));
