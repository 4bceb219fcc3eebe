import type { Core } from '@strapi/strapi';
import { rarity } from '../../../common/rarity';
import { achievementStore } from '../stores/achievements';
import { hostUsers } from '../stores/host-users';
import { getService } from '../utils/get-service';
import { WEBHOOK_EVENTS } from './outbox';

/** Rarity is a statistic: a minute old is fine, and it spares a scan of every achievement. */
const STATS_TTL_MS = 60_000;
/**
 * After an award in this process the statistics are refreshed on the next read, but never
 * more often than this many times their own cost: a burst of awards on a big table must not
 * keep the database busy with the aggregate.
 */
const STATS_THROTTLE_FACTOR = 10;

interface Stats {
  /** badge id → members holding it (non-revoked) */
  holders: Map<number, number>;
  /** members who may earn badges (rarity's denominator) */
  members: number;
}

/** A badge's earned count and rarity, as every read model and the admin show them. */
export type BadgeStatistic = { earnedCount: number; rarity: number };

/**
 * Earned count and rarity per badge: one rarity (common/rarity: holders ÷ eligible members, one
 * rounding) for the member API and the admin alike, cached per process.
 */
const statisticsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const cache = {
    value: null as Stats | null,
    computedAt: 0,
    cost: 0,
    dirty: false,
    pending: null as Promise<Stats> | null,
    subscribed: false,
  };

  /** Holders per badge (one badge per statement, see achievementStore.holdersOf). */
  const compute = async (): Promise<Stats> => {
    const started = Date.now();
    const catalog = await getService(strapi, 'catalog').get();
    const holders = new Map<number, number>();
    for (const badge of catalog.badges)
      holders.set(badge.id, await achievementStore(strapi).holdersOf(badge.id));
    const members = await hostUsers(strapi).eligibleCount();
    cache.cost = Date.now() - started;
    return { holders, members };
  };

  /** Holders per badge and the member count, cached (see STATS_TTL_MS). */
  const current = async (): Promise<Stats> => {
    if (!cache.subscribed) {
      cache.subscribed = true;
      const markDirty = async () => {
        cache.dirty = true;
      };
      strapi.eventHub.on(WEBHOOK_EVENTS.earned, markDirty);
      strapi.eventHub.on(WEBHOOK_EVENTS.revoked, markDirty);
    }
    const age = Date.now() - cache.computedAt;
    const stale =
      cache.value === null ||
      age >= STATS_TTL_MS ||
      (cache.dirty && age >= cache.cost * STATS_THROTTLE_FACTOR);
    if (!stale) return cache.value!;
    if (!cache.pending) {
      // Cleared before the query runs: an award during it marks the result stale again.
      cache.dirty = false;
      cache.pending = compute()
        .then((value) => {
          cache.value = value;
          cache.computedAt = Date.now();
          return value;
        })
        .finally(() => {
          cache.pending = null;
        });
    }
    if (cache.value === null) return cache.pending;
    // Stale-while-revalidate: only the very first read waits for the aggregate; later reads
    // answer with the previous figures while the new ones are computed.
    cache.pending.catch((error: Error) =>
      strapi.log.warn(`achievements: could not refresh badge statistics: ${error.message}`)
    );
    return cache.value;
  };

  const lookup =
    (s: Stats) =>
    (badgeId: number): BadgeStatistic => {
      const earnedCount = s.holders.get(badgeId) ?? 0;
      return { earnedCount, rarity: rarity(earnedCount, s.members) };
    };

  return {
    /**
     * Earned count and rarity per badge. fresh: computed now (an admin who just awarded a
     * badge sees it counted), and kept for the member API's next reads.
     */
    async of({ fresh = false }: { fresh?: boolean } = {}) {
      if (!fresh) return lookup(await current());
      const s = await compute();
      Object.assign(cache, { value: s, computedAt: Date.now(), dirty: false });
      return lookup(s);
    },

    /** Forgets the cached statistics; the next read recomputes them. */
    invalidate() {
      cache.value = null;
      cache.computedAt = 0;
    },
  };
};

export default statisticsService;
