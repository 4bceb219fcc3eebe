import { describeZodError } from '../../../common/validation';
import { pluginConfigSchema, type PluginConfig } from './schema';

export const DEFAULT_CONFIG: PluginConfig = {
  triggers: [],
  externalEvents: [],
  defaultTimezone: 'UTC',
  timezoneField: 'timezone',
  streakEvents: ['lesson.completed', 'module.completed', 'course.completed'],
  freezesPerMonth: 0,
  profileFields: ['avatar', 'bio', 'socialLinks'],
  seedCatalog: true,
  processing: {
    pollIntervalMs: 5000,
    batchSize: 200,
    leaseMs: 60_000,
    coalesceMs: 100,
    engine: true,
  },
};

export default {
  default: DEFAULT_CONFIG,
  /** Strapi calls this with the merged config at start-up; throwing stops Strapi. */
  validator(config: unknown) {
    const parsed = pluginConfigSchema.safeParse(config);
    if (!parsed.success) {
      const { message } = describeZodError(parsed.error, 'achievements');
      throw new Error(`Invalid config of plugin "achievements" (config/plugins): ${message}`);
    }
  },
};
