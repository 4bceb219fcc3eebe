import path from 'path';
import { PLUGIN_ID, UID } from '../../../common/constants';
import seedService from '../../../server/src/services/seed';

/** Just enough of Strapi for seedDefaultCatalog, recording uploads, badges and log lines. */
const mockStrapi = (uploadConfig: unknown) => {
  const uploads: { name: string; mimetype: string; filepath: string }[] = [];
  const badges: Record<string, unknown>[] = [];
  const log = { info: jest.fn(), warn: jest.fn() };
  const services: Record<string, object> = {
    settings: { streakOptions: async () => ({ events: ['lesson.completed'] }) },
    upload: {
      upload: async ({ files }: { files: { originalFilename: string } & (typeof uploads)[0] }) => {
        uploads.push({
          name: files.originalFilename,
          mimetype: files.mimetype,
          filepath: files.filepath,
        });
        return [{ id: uploads.length }];
      },
    },
  };
  const strapi = {
    log,
    config: {
      get: (key: string) =>
        key === `plugin::${PLUGIN_ID}`
          ? {
              seedCatalog: true,
              profileFields: [],
              triggers: [{ event: 'lesson.completed' }],
              externalEvents: ['post.published'],
            }
          : key === 'plugin::upload'
            ? uploadConfig
            : undefined,
    },
    plugin: () => ({ service: (name: string) => services[name] }),
    db: { query: () => ({ findOne: async () => null }) },
    documents: (uid: string) => ({
      create: async ({ data }: { data: Record<string, unknown> }) => {
        if (uid === UID.badge) badges.push(data);
        return { documentId: `${uid}:${data.slug}` };
      },
    }),
    store: () => ({ get: async () => null, set: async () => {} }),
  };
  return { strapi, uploads, badges, log };
};

const seed = async (uploadConfig: unknown) => {
  const mock = mockStrapi(uploadConfig);
  const result = await seedService({ strapi: mock.strapi as any }).seedDefaultCatalog();
  expect(result.created).toBeGreaterThan(1);
  expect(mock.badges).toHaveLength(result.created);
  return mock;
};

describe('seedDefaultCatalog uploads the artwork the upload policy accepts', () => {
  it('uploads the SVGs when the app has no upload policy', async () => {
    const { uploads, badges, log } = await seed(undefined);
    expect(uploads).toHaveLength(badges.length);
    for (const upload of uploads) {
      expect(upload.mimetype).toBe('image/svg+xml');
      expect(upload.name).toMatch(/^achievement-[a-z0-9-]+\.svg$/);
      expect(path.extname(upload.filepath)).toBe('.svg');
    }
    expect(badges.every((badge) => typeof badge.image === 'number')).toBe(true);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it("uploads the PNGs under a fresh app's policy, which denies SVG", async () => {
    const { uploads, badges, log } = await seed({
      security: { allowedTypes: ['image/*', 'application/pdf'], deniedTypes: ['image/svg+xml'] },
    });
    expect(uploads).toHaveLength(badges.length);
    for (const upload of uploads) {
      expect(upload.mimetype).toBe('image/png');
      expect(upload.name).toMatch(/^achievement-[a-z0-9-]+\.png$/);
      expect(path.extname(upload.filepath)).toBe('.png');
    }
    expect(log.warn).not.toHaveBeenCalled();
    expect(log.info).toHaveBeenCalledWith(expect.stringMatching(/uploaded as PNG/));
  });

  it('seeds the badges without artwork, with one warning, when no image type is allowed', async () => {
    const { uploads, badges, log } = await seed({
      security: { allowedTypes: ['application/pdf'] },
    });
    expect(uploads).toHaveLength(0);
    expect(badges.some((badge) => 'image' in badge)).toBe(false);
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0][0]).toMatch(/upload\.config\.security\.deniedTypes/);
  });
});
