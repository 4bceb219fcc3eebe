import { DEFAULT_CONFIG } from '../../../server/src/config';
import { resolveConfig } from '../../../server/src/config/resolve';
import settingsService from '../../../server/src/services/settings';

/** A Strapi whose plugin store fails the reads it is told to, with the default config. */
const strapiWithStore = (reads: Array<Error | Record<string, unknown>>) => {
  const config = resolveConfig({ ...DEFAULT_CONFIG, triggers: [] } as any, (uid) =>
    uid === 'plugin::users-permissions.user' ? { attributes: {} } : undefined
  );
  let calls = 0;
  const strapi = {
    config: { get: () => config },
    store: () => ({
      get: async () => {
        const next = reads[Math.min(calls, reads.length - 1)];
        calls += 1;
        if (next instanceof Error) throw next;
        return next;
      },
    }),
  };
  return { strapi: strapi as any, calls: () => calls };
};

describe('the settings cache', () => {
  it('does not keep a failed read: the next call reads the store again', async () => {
    const lost = new Error('select … - Connection terminated unexpectedly');
    const { strapi, calls } = strapiWithStore([lost, { enabled: true }]);
    const settings = settingsService({ strapi });
    await expect(settings.isEnabled()).rejects.toThrow('Connection terminated');
    await Promise.resolve(); // the failed read is dropped once its rejection is seen
    expect(await settings.isEnabled()).toBe(true);
    expect(calls()).toBe(2);
  });

  it('keeps a good read for a second: a burst of callers reads the store once', async () => {
    const { strapi, calls } = strapiWithStore([{ enabled: true }]);
    const settings = settingsService({ strapi });
    await Promise.all(Array.from({ length: 20 }, () => settings.isEnabled()));
    expect(calls()).toBe(1);
  });
});
