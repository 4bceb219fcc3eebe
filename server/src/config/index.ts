import { describeZodError } from '../../../common/validation';
import { pluginConfigSchema, type PluginConfig } from './schema';
import { DEFAULT_OLDEST_EVENT } from '../validation/occurred-at';

/**
 * Strapi fills the user's config from these with lodash's defaultsDeep, which merges arrays by
 * index (a user's `[]` would come back as the default list): so no default here is a non-empty
 * array. Defaults that depend on the app (streak events, profile fields, timezone field) are
 * derived from the app's model in register (see resolve.ts).
 */
export const DEFAULT_CONFIG: PluginConfig = {
  triggers: [],
  externalEvents: [],
  oldestEvent: DEFAULT_OLDEST_EVENT,
  defaultTimezone: 'UTC',
  freezesPerMonth: 0,
  seedCatalog: true,
  processing: {
    pollIntervalMs: 5000,
    batchSize: 200,
    leaseMs: 60_000,
    coalesceMs: 100,
    engine: true,
  },
  streams: { pollIntervalMs: 500, heartbeatMs: 25_000, ticketTtlMs: 60_000 },
};

export default {
  default: DEFAULT_CONFIG,
  /** Strapi calls this with the merged config at start-up; throwing stops Strapi. */
  validator(config: unknown) {
    const parsed = pluginConfigSchema.safeParse(config);
    if (!parsed.success) {
      const { message } = describeZodError(parsed.error, { prefix: 'achievements' });
      throw new Error(`Invalid config of plugin "achievements" (config/plugins): ${message}`);
    }
  },
};
