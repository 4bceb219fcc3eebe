import { streakStore } from '../../../server/src/stores/streaks';
import type { TestApp } from '../helpers/strapi';

/** Small readers over the plugin's tables, for assertions on what the database holds. */
export const plugin = (app: TestApp) => app.strapi.plugin('achievements');

export const enableAchievements = (app: TestApp, enabled = true) =>
  plugin(app).service('settings').update({ enabled });

export const drain = (app: TestApp) => plugin(app).service('evaluator').drain();

/** A member's stored streak (with the version it is at), or null without one. */
export const streakOf = async (app: TestApp, userId: number) =>
  (await streakStore(app.strapi).of([userId])).get(userId) ?? null;

export const badgeBySlug = (app: TestApp, slug: string) =>
  app.strapi.db.query('plugin::achievements.badge').findOne({ where: { slug } });

/** Non-revoked achievements of a member as badge slugs (sorted). */
export const earnedSlugs = async (app: TestApp, userId: number): Promise<string[]> => {
  const rows = await app.strapi.db
    .query('plugin::achievements.achievement')
    .findMany({ where: { userId, revokedAt: null } });
  const badges = await app.strapi.db.query('plugin::achievements.badge').findMany({});
  const slugOf = new Map(badges.map((b: any) => [b.id, b.slug]));
  return rows.map((r: any) => slugOf.get(r.badgeId) as string).sort();
};

export const achievementRows = (app: TestApp, where: Record<string, unknown> = {}) =>
  app.strapi.db.query('plugin::achievements.achievement').findMany({ where });

export const progressOf = async (app: TestApp, userId: number, slug: string) => {
  const badge = await badgeBySlug(app, slug);
  const row = await app.strapi.db
    .query('plugin::achievements.progress')
    .findOne({ where: { userId, badgeId: badge.id } });
  return row ? { current: row.current, target: row.target } : null;
};

export const eventRows = (app: TestApp, where: Record<string, unknown> = {}) =>
  app.strapi.db.query('plugin::achievements.event').findMany({ where });

/** Records one event through the plugin's events service, as a trigger does. */
export const recordEvent = (
  app: TestApp,
  type: string,
  userId: number,
  key: string,
  subject: string
) => plugin(app).service('events').record({ type, userId, key, subject });
