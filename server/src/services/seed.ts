import fs from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../../../common/constants';
import { DEFAULT_BADGES, DEFAULT_CATEGORIES, earnableDefaults } from '../seed/default-catalog';
import { getService } from '../utils/get-service';
import { appEvents, pluginConfig } from '../utils/plugin-config';

/**
 * The artwork ships in the package: `<package>/assets/badges/<slug>.svg` and its 256×256 render
 * `<slug>.png` (scripts/render-artwork.mjs), for apps whose upload policy refuses SVG.
 */
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

export const ARTWORK = {
  svg: { ext: 'svg', mime: 'image/svg+xml' },
  png: { ext: 'png', mime: 'image/png' },
} as const;
export type ArtworkFormat = keyof typeof ARTWORK | 'none';

/**
 * The upload plugin's MIME pattern match, exactly as @strapi/upload 5.54 does it (mime-validation):
 * case-insensitive; a pattern with `*` becomes a regular expression as written (`*` → `.*`, nothing
 * else escaped), so what the plugin uploads is what the app's own upload routes would accept.
 */
const matchesMime = (mime: string, patterns: string[]) =>
  patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.includes('*') ? new RegExp(`^${p.replace(/\*/g, '.*')}$`).test(mime) : p === mime;
  });

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * Which artwork the app's upload policy accepts, given `strapi.config.get('plugin::upload')`.
 * The plugin uploads through the upload service, which (unlike the upload routes) does not check
 * `security.allowedTypes` / `security.deniedTypes`, so it applies them itself, as the upload
 * plugin would: a denied type is refused; with no allowedTypes anything else is allowed; an empty
 * allowedTypes allows nothing. SVG when accepted, else PNG, else 'none'. A malformed policy (not
 * arrays of strings, or a pattern that is no regular expression) makes the upload plugin refuse
 * the upload: 'none' for that format.
 */
export const artworkFormat = (uploadConfig: unknown): ArtworkFormat => {
  const security = (uploadConfig as { security?: unknown } | null | undefined)?.security;
  if (security == null || typeof security !== 'object') return 'svg';
  const { allowedTypes, deniedTypes } = security as Record<string, unknown>;
  // The upload plugin refuses every upload when a list is set but not an array of strings.
  if (allowedTypes && !isStringArray(allowedTypes)) return 'none';
  if (deniedTypes && !isStringArray(deniedTypes)) return 'none';
  const accepts = (mime: string) => {
    try {
      if (isStringArray(deniedTypes) && matchesMime(mime, deniedTypes)) return false;
      return !isStringArray(allowedTypes) || matchesMime(mime, allowedTypes);
    } catch {
      return false; // A pattern that is no regular expression: the upload plugin refuses the file.
    }
  };
  if (accepts(ARTWORK.svg.mime)) return 'svg';
  if (accepts(ARTWORK.png.mime)) return 'png';
  return 'none';
};

/** Seeds the default catalog: the badges this app can earn, each one once ever. */
const seedService = ({ strapi }: { strapi: Core.Strapi }) => {
  /** Decided once, when the first badge needs artwork; the policy is app config. */
  let format: ArtworkFormat | undefined;
  const chosenFormat = (): ArtworkFormat => {
    if (format) return format;
    format = artworkFormat(strapi.config.get('plugin::upload'));
    if (format === 'png') {
      strapi.log.info(
        "achievements: the app's upload policy (config/plugins → upload.config.security.deniedTypes / allowedTypes) refuses image/svg+xml: badge artwork uploaded as PNG"
      );
    } else if (format === 'none') {
      strapi.log.warn(
        "achievements: the app's upload policy (config/plugins → upload.config.security.deniedTypes / allowedTypes) accepts neither image/svg+xml nor image/png: default badges seeded without artwork"
      );
    }
    return format;
  };

  const uploadArtwork = async (slug: string, name: string) => {
    const chosen = chosenFormat();
    if (chosen === 'none') return null;
    const { ext, mime } = ARTWORK[chosen];
    const file = path.join(ASSETS_DIR, `${slug}.${ext}`);
    if (!fs.existsSync(file)) return null;
    try {
      const [uploaded] = await strapi
        .plugin('upload')
        .service('upload')
        .upload({
          data: {
            fileInfo: {
              name: `achievement-${slug}.${ext}`,
              alternativeText: `${name} badge`,
              caption: name,
            },
          },
          files: {
            filepath: file,
            originalFilename: `achievement-${slug}.${ext}`,
            mimetype: mime,
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
    // Written by earlier versions: `true` once the whole catalog had been seeded.
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
        events: appEvents(strapi).knownSet,
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
