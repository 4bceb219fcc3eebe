import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import { parseCriteria } from '../../../engine/criteria';
import { CatalogIndex, type BadgeDef } from '../../../engine/evaluate';
import { getService } from '../utils/get-service';
import { appEvents } from '../utils/plugin-config';

export interface CategoryRow {
  id: number;
  documentId: string;
  name: string;
  slug: string;
  description: string | null;
  sortOrder: number;
}

export interface BadgeRow {
  id: number;
  documentId: string;
  name: string;
  slug: string;
  description: string | null;
  tier: string;
  points: number;
  criteria: unknown;
  secret: boolean;
  repeatable: boolean;
  maxRepeats: number | null;
  autoRevoke: boolean;
  enabled: boolean;
  sortOrder: number;
  image: { url: string; alternativeText?: string | null; width?: number; height?: number } | null;
  category: CategoryRow | null;
}

export interface Catalog {
  badges: BadgeRow[];
  categories: CategoryRow[];
  defs: BadgeDef[];
  index: CatalogIndex;
  loadedAt: number;
}

/** Other processes may edit badges too; a cached catalog is at most this old. */
const TTL_MS = 5_000;

/**
 * The badge catalog, read once and cached: every event needs it, and it changes only when an
 * editor saves a badge or a category (which invalidates it here at once).
 */
const catalogService = ({ strapi }: { strapi: Core.Strapi }) => {
  let cached: Promise<Catalog> | null = null;
  let cachedAt = 0;
  let builtWith = 0;

  const build = async (): Promise<Catalog> => {
    const [badges, categories] = await Promise.all([
      strapi.db.query(UID.badge).findMany({
        populate: { category: true, image: true },
        orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
      }) as Promise<BadgeRow[]>,
      strapi.db.query(UID.category).findMany({
        orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }],
      }) as Promise<CategoryRow[]>,
    ]);
    const defs: BadgeDef[] = [];
    for (const badge of badges) {
      const parsed = parseCriteria(badge.criteria);
      if (!parsed.ok) {
        strapi.log.warn(
          `achievements: badge "${badge.slug}" has invalid criteria and is ignored: ${parsed.issues[0]?.message}`
        );
      }
      defs.push({
        id: badge.id,
        slug: badge.slug,
        category: badge.category?.slug ?? null,
        points: badge.points ?? 0,
        criteria: parsed.ok ? parsed.criteria : { type: 'manual' },
        repeatable: !!badge.repeatable,
        maxRepeats: badge.maxRepeats ?? null,
        autoRevoke: !!badge.autoRevoke,
        enabled: badge.enabled !== false && parsed.ok,
        secret: !!badge.secret,
      });
    }
    const { events: streakEvents } = await getService(strapi, 'settings').streakOptions();
    const index = new CatalogIndex(defs, {
      streakEvents,
      retractions: appEvents(strapi).retractions,
    });
    return { badges, categories, defs, index, loadedAt: Date.now() };
  };

  return {
    async get(): Promise<Catalog> {
      // The index depends on the streak events in Settings: a change here rebuilds it at once.
      const settingsRevision = getService(strapi, 'settings').revision();
      if (!cached || Date.now() - cachedAt > TTL_MS || builtWith !== settingsRevision) {
        builtWith = settingsRevision;
        cachedAt = Date.now();
        cached = build().catch((error) => {
          cached = null;
          throw error;
        });
      }
      return cached;
    },
    invalidate() {
      cached = null;
    },
  };
};

export default catalogService;
