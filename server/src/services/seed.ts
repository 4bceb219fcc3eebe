import fs from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../../../common/constants';
import { DEFAULT_BADGES, DEFAULT_CATEGORIES, earnableDefaults } from '../seed/default-catalog';
import { getService } from '../utils/get-service';
import { pluginConfig } from '../utils/plugin-config';

/** The artwork ships in the package: `<package>/assets/badges/<slug>.svg`. */
export const ASSETS_DIR = (() => {
  // From dist/server/index.js (the built plugin) or server/src/services (tests of the source).
  for (const candidate of [
    path.resolve(__dirname, '../../assets/badges'),
    path.resolve(__dirname, '../../../assets/badges'),
  ]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(__dirname, '../../assets/badges');
})();

/** Seeds the default catalog: the badges this app can earn, each one once ever. */
const seedService = ({ strapi }: { strapi: Core.Strapi }) => {
  const uploadArtwork = async (slug: string, name: string) => {
    const file = path.join(ASSETS_DIR, `${slug}.svg`);
    if (!fs.existsSync(file)) return null;
    try {
      const [uploaded] = await strapi
        .plugin('upload')
        .service('upload')
        .upload({
          data: {
            fileInfo: {
              name: `achievement-${slug}.svg`,
              alternativeText: `${name} badge`,
              caption: name,
            },
          },
          files: {
            filepath: file,
            originalFilename: `achievement-${slug}.svg`,
            mimetype: 'image/svg+xml',
            size: fs.statSync(file).size,
          },
        });
      return uploaded?.id ?? null;
    } catch (error) {
      strapi.log.warn(
        `achievements: could not upload the artwork of "${slug}": ${(error as Error).message}`
      );
      return null;
    }
  };

  /** Which default badges this app has had seeded, or found earnable and left to editors. */
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'catalog-seeded' });
  const handledSlugs = async (): Promise<Set<string> | null> => {
    const value = (await store().get({})) as { slugs?: unknown } | boolean | null;
    // Before 0.2 the store held `true` once the whole catalog had been seeded.
    if (value === true) return new Set(DEFAULT_BADGES.map((b) => b.slug));
    if (value && typeof value === 'object' && Array.isArray(value.slugs)) {
      return new Set(value.slugs.filter((slug): slug is string => typeof slug === 'string'));
    }
    return null;
  };

  const categoryFor = async (slug: string, made: Map<string, string>) => {
    if (made.has(slug)) return made.get(slug)!;
    const existing = await strapi.db.query(UID.category).findOne({ where: { slug } });
    const category = DEFAULT_CATEGORIES.find((c) => c.slug === slug)!;
    const saved =
      existing ?? (await strapi.documents(UID.category).create({ data: category as any }));
    made.set(slug, saved.documentId);
    return saved.documentId;
  };

  return {
    /**
     * Seeds the default badges this app can earn (see earnableDefaults) and remembers each one:
     * on a later start only badges that have become earnable since (a trigger or a profile field
     * was added) are seeded, so an editor's changes, deleting a default badge included, are never
     * seeded over.
     */
    async seedDefaultCatalog({ force = false }: { force?: boolean } = {}) {
      if (!pluginConfig(strapi).seedCatalog && !force) return { seeded: false, created: 0 };
      const handled = (force ? null : await handledSlugs()) ?? new Set<string>();
      const { profileFields } = pluginConfig(strapi);
      const { events: streakEvents } = await getService(strapi, 'settings').streakOptions();
      const earnable = earnableDefaults(DEFAULT_BADGES, {
        events: new Set(getService(strapi, 'triggers').knownEvents()),
        profileFields,
        streakEvents,
      });
      const skipped = DEFAULT_BADGES.filter((b) => !earnable.some((e) => e.slug === b.slug));
      if (skipped.length && handled.size === 0) {
        strapi.log.info(
          `achievements: default badges left out, as this app cannot earn them yet (no trigger for their events, no such user field, or no streak events): ${skipped.map((b) => b.slug).join(', ')}`
        );
      }
      const categories = new Map<string, string>();
      let created = 0;
      for (const badge of earnable) {
        if (handled.has(badge.slug)) continue;
        handled.add(badge.slug);
        if (await strapi.db.query(UID.badge).findOne({ where: { slug: badge.slug } })) continue;
        const image = await uploadArtwork(badge.slug, badge.name);
        await strapi.documents(UID.badge).create({
          data: {
            name: badge.name,
            slug: badge.slug,
            description: badge.description,
            tier: badge.tier,
            points: badge.points,
            criteria: badge.criteria,
            secret: badge.secret ?? false,
            autoRevoke: badge.autoRevoke ?? false,
            repeatable: false,
            enabled: true,
            sortOrder: DEFAULT_BADGES.findIndex((b) => b.slug === badge.slug) + 1,
            category: await categoryFor(badge.category, categories),
            ...(image ? { image } : {}),
          } as any,
        });
        created += 1;
      }
      await store().set({ value: { slugs: [...handled].sort() } });
      if (created) {
        strapi.log.info(
          `achievements: seeded ${created} default badges in ${categories.size} categories`
        );
      }
      return { seeded: created > 0, created };
    },
  };
};

export default seedService;
