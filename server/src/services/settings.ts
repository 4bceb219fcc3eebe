import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { PLUGIN_ID } from '../../../common/constants';
import {
  DEFAULT_SETTINGS,
  mergeSettings,
  settingsPatchSchema,
  settingsSchema,
  type PublicConfig,
  type Settings,
} from '../../../common/settings';
import { describeZodError } from '../../../common/validation';

/** Organisation-wide settings, kept in Strapi's plugin store and validated on every write. */
const settingsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'settings' });

  return {
    async get(): Promise<Settings> {
      const stored = await store().get({});
      // Stored values from an older version are merged over the defaults and re-validated, so a
      // new setting always has a value and a corrupt one never reaches a response.
      const merged = mergeSettings(DEFAULT_SETTINGS, (stored ?? {}) as Partial<Settings>);
      const parsed = settingsSchema.safeParse(merged);
      return parsed.success ? parsed.data : DEFAULT_SETTINGS;
    },

    async update(patch: unknown): Promise<Settings> {
      const parsedPatch = settingsPatchSchema.safeParse(patch);
      if (!parsedPatch.success) {
        const { message, errors: details } = describeZodError(parsedPatch.error);
        throw new errors.ValidationError(message, { errors: details });
      }
      const next = settingsSchema.parse(mergeSettings(await this.get(), parsedPatch.data));
      await store().set({ value: next });
      return next;
    },

    async isEnabled(): Promise<boolean> {
      return (await this.get()).enabled;
    },

    async publicConfig(): Promise<PublicConfig> {
      const { enabled, card } = await this.get();
      return { enabled, card };
    },
  };
};

export default settingsService;
