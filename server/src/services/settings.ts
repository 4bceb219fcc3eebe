import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { PLUGIN_ID } from '../../../common/constants';
import {
  DEFAULT_EVENT_POINTS,
  DEFAULT_LEVELS,
  DEFAULT_SETTINGS,
  mergeSettings,
  settingsPatchSchema,
  settingsSchema,
  type PublicConfig,
  type Settings,
} from '../../../common/settings';
import { describeZodError } from '../../../common/validation';
import { pluginConfig } from '../utils/plugin-config';
import { appEvents } from '../utils/plugin-config';

/** Every event and every card read needs the settings: read the store at most this often. */
const CACHE_MS = 1000;

/** Organisation-wide settings, kept in Strapi's plugin store and validated on every write. */
const settingsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'settings' });
  let cached: { at: number; value: Promise<Settings> } | null = null;
  /** Counts this process's updates: what is derived from the settings rebuilds when it moves. */
  let revision = 0;

  /** Without stored overrides, the engine options are the plugin config's. */
  const defaults = (): Settings => {
    const config = pluginConfig(strapi);
    return {
      ...DEFAULT_SETTINGS,
      streaks: {
        defaultTimezone: config.defaultTimezone,
        events: config.streakEvents,
        freezesPerMonth: config.freezesPerMonth,
      },
      points: {
        perEvent: Object.fromEntries(
          Object.entries(DEFAULT_EVENT_POINTS).filter(([event]) =>
            appEvents(strapi).knownSet.has(event)
          )
        ),
        levels: DEFAULT_LEVELS,
        excludedRoles: [],
      },
    };
  };

  const read = async (): Promise<Settings> => {
    const stored = ((await store().get({})) ?? {}) as Partial<Settings>;
    // Stored values from an older version are merged over the defaults and re-validated, so a
    // new setting always has a value and a corrupt one never reaches a response.
    const merged = mergeSettings(defaults(), stored as any);
    const parsed = settingsSchema.safeParse(merged);
    return parsed.success ? parsed.data : defaults();
  };

  return {
    async get(): Promise<Settings> {
      if (!cached || Date.now() - cached.at > CACHE_MS) {
        const value = read();
        cached = { at: Date.now(), value };
        // A read that failed (a lost connection) is not kept: every caller of the next second
        // would get its error, and a trigger would turn each host write into a 500.
        value.catch(() => {
          if (cached?.value === value) cached = null;
        });
      }
      return cached.value;
    },

    async update(patch: unknown): Promise<Settings> {
      const parsedPatch = settingsPatchSchema.safeParse(patch);
      if (!parsedPatch.success) {
        const { message, errors: details } = describeZodError(parsedPatch.error);
        throw new errors.ValidationError(message, { errors: details });
      }
      const known = appEvents(strapi).known;
      const unknown = [
        ...(parsedPatch.data.streaks?.events ?? []).map((event, index) => ({
          event,
          path: `streaks.events.${index}`,
        })),
        ...Object.keys(parsedPatch.data.points?.perEvent ?? {}).map((event) => ({
          event,
          path: `points.perEvent.${event}`,
        })),
      ].filter(({ event }) => !known.includes(event));
      if (unknown.length) {
        const details = unknown.map(({ event, path }) => ({
          path,
          message: `${path}: unknown event "${event}"; known events: ${known.join(', ')}`,
        }));
        throw new errors.ValidationError(details.map((d) => d.message).join('; '), {
          errors: details,
        });
      }
      const next = settingsSchema.parse(mergeSettings(await read(), parsedPatch.data));
      await store().set({ value: next });
      cached = null;
      revision += 1;
      return next;
    },

    /** Moves on every update in this process (the catalog's index depends on streak events). */
    revision(): number {
      return revision;
    },

    /** The engine options in force: stored overrides over the plugin config. */
    async streakOptions() {
      return (await this.get()).streaks;
    },

    /** Points per event, levels and the roles leaderboards leave out. */
    async pointsOptions() {
      return (await this.get()).points;
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
