import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { AdminInsights, AdminProgressDistribution } from '../../../common/admin-api';
import { calendarBuckets, PROGRESS_BUCKETS } from '../../../engine/insights';
import { achievementStore } from '../stores/achievements';
import { ledgerStore } from '../stores/ledger';
import { progressStore } from '../stores/progress';
import { getService } from '../utils/get-service';

/** How many badges each of the most and least earned lists shows. */
const RANKED = 5;
/** Achievements of badges without a category are counted under this slug. */
export const NO_CATEGORY = 'none';

/**
 * The admin's Insights: aggregates over a bounded window of calendar days or weeks in the
 * site's timezone, each one statement in the table's store (achievements per week and badge,
 * active members per day from the ledger, progress buckets of one badge); the catalog maps
 * badges to categories and names, and the badge statistics give the most and least earned.
 */
const insightsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const timezone = async () =>
    (await getService(strapi, 'settings').streakOptions()).defaultTimezone;

  return {
    async overview(
      opts: { weeks: number; days: number },
      now = Date.now()
    ): Promise<AdminInsights> {
      const tz = await timezone();
      const catalog = await getService(strapi, 'catalog').get();
      const weeks = calendarBuckets('week', opts.weeks, tz, now);
      const days = calendarBuckets('day', opts.days, tz, now);
      const [earned, active, stats] = await Promise.all([
        achievementStore(strapi).earnedPerBucket(weeks),
        ledgerStore(strapi).activeMembersPerBucket(days),
        getService(strapi, 'statistics').of({ fresh: true }),
      ]);

      const categoryOf = new Map(
        catalog.badges.map((b) => [b.id, b.category?.slug ?? NO_CATEGORY])
      );
      const counts = weeks.map(() => ({}) as Record<string, number>);
      const used = new Set<string>();
      for (const r of earned) {
        const slug = categoryOf.get(r.badgeId) ?? NO_CATEGORY;
        used.add(slug);
        counts[r.bucket][slug] = (counts[r.bucket][slug] ?? 0) + r.count;
      }
      const categories = catalog.categories
        .filter((c) => used.has(c.slug))
        .map((c) => ({ slug: c.slug, name: c.name }));
      if (used.has(NO_CATEGORY)) categories.push({ slug: NO_CATEGORY, name: '' });

      const activeAt = new Map(active.map((r) => [r.bucket, r.members]));
      const ranked = catalog.badges
        .filter((b) => b.enabled)
        .map((b) => ({ documentId: b.documentId, name: b.name, ...stats(b.id) }))
        .sort((a, b) => b.earnedCount - a.earnedCount || a.name.localeCompare(b.name));
      const least = [...ranked]
        .sort((a, b) => a.earnedCount - b.earnedCount || a.name.localeCompare(b.name))
        .slice(0, RANKED);

      return {
        timezone: tz,
        earnedPerWeek: {
          categories,
          weeks: weeks.map((w, i) => ({
            label: w.label,
            from: new Date(w.from).toISOString(),
            counts: counts[i],
            total: Object.values(counts[i]).reduce((a, b) => a + b, 0),
          })),
        },
        mostEarned: ranked.slice(0, RANKED),
        leastEarned: least,
        badges: ranked
          .map((b) => ({ documentId: b.documentId, name: b.name }))
          .sort((a, b) => a.name.localeCompare(b.name)),
        activePerDay: days.map((d, i) => ({
          label: d.label,
          from: new Date(d.from).toISOString(),
          members: activeAt.get(i) ?? 0,
        })),
      };
    },

    async progress(badgeDocumentId: string): Promise<AdminProgressDistribution> {
      const catalog = await getService(strapi, 'catalog').get();
      const badge = catalog.badges.find((b) => b.documentId === badgeDocumentId);
      if (!badge) throw new errors.NotFoundError(`badge: no badge ${badgeDocumentId}`);
      const counts = await progressStore(strapi).distribution(badge.id);
      const step = 100 / PROGRESS_BUCKETS;
      return {
        badge: { documentId: badge.documentId, name: badge.name },
        buckets: counts.map((members, i) => ({ from: i * step, to: (i + 1) * step, members })),
        total: counts.reduce((a, b) => a + b, 0),
      };
    },
  };
};

export default insightsService;
