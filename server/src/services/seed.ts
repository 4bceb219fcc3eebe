import fs from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../../../common/constants';
import type { PluginConfig } from '../config/schema';
import { DEFAULT_BADGES, DEFAULT_CATEGORIES } from '../seed/default-catalog';

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

/**
 * Seeds the default catalog once, on the first start: a flag in the plugin store remembers it,
 * so an editor's changes — even deleting a default badge — are never seeded over.
 */
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

  return {
    async seedDefaultCatalog({ force = false }: { force?: boolean } = {}) {
      const config = strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
      if (!config.seedCatalog && !force) return { seeded: false };
      const store = strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'catalog-seeded' });
      if ((await store.get({})) && !force) return { seeded: false };

      const categoryIds = new Map<string, string>();
      for (const category of DEFAULT_CATEGORIES) {
        const existing = await strapi.db
          .query(UID.category)
          .findOne({ where: { slug: category.slug } });
        const saved =
          existing ?? (await strapi.documents(UID.category).create({ data: category as any }));
        categoryIds.set(category.slug, saved.documentId);
      }

      const known = new Set(
        (strapi.plugin(PLUGIN_ID).service('triggers') as any).knownEvents() as string[]
      );
      let created = 0;
      for (const [position, badge] of DEFAULT_BADGES.entries()) {
        const events = badge.criteria.type === 'count' ? [badge.criteria.event].flat() : [];
        const missing = events.filter((e) => !known.has(e));
        if (missing.length) {
          // The host has no trigger for it: seeding it would fail validation and confuse editors.
          strapi.log.info(
            `achievements: default badge "${badge.slug}" skipped (no trigger produces ${missing.join(', ')})`
          );
          continue;
        }
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
            sortOrder: position + 1,
            category: categoryIds.get(badge.category),
            ...(image ? { image } : {}),
          } as any,
        });
        created += 1;
      }
      await store.set({ value: true });
      strapi.log.info(
        `achievements: seeded ${DEFAULT_CATEGORIES.length} categories and ${created} badges`
      );
      return { seeded: true, created };
    },
  };
};

export default seedService;
