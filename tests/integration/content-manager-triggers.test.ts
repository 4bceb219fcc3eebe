import { registerMember, setupTestApp, superAdminToken } from './helpers/strapi';
import { drain, earnedSlugs, enableAchievements, plugin } from './support/achievements';

const app = setupTestApp();

/**
 * An editor's writes in the admin's content manager reach the triggers too. The content manager
 * wraps create + publish in one database transaction, so the trigger runs before it commits:
 * it must read the written row on that transaction (another connection would not see it on
 * PostgreSQL, and would wait for SQLite's only connection until the pool timed out).
 */
describe('triggers on writes made in the content manager', () => {
  const POSTS = '/content-manager/collection-types/api::post.post';
  let admin: string;

  beforeAll(async () => {
    admin = await superAdminToken(app);
    await enableAchievements(app);
  });

  const cm = (method: 'post' | 'put', url: string, body: object = {}) =>
    app.request()[method](url).set('Authorization', `Bearer ${admin}`).send(body);

  it('a draft created, then published, by an editor earns the author "first-post"', async () => {
    const author = await registerMember(app);
    const created = await cm('post', POSTS, {
      title: 'Written by the editor',
      body: 'On behalf of a member.',
      author: { connect: [{ id: author.user.id }] },
    });
    expect(created.status).toBe(201);
    const { documentId } = created.body.data;
    const published = await cm('post', `${POSTS}/${documentId}/actions/publish`, {
      title: 'Written by the editor',
      body: 'On behalf of a member.',
      author: { connect: [{ id: author.user.id }] },
    });
    expect(published.status).toBe(200);
    await drain(app);
    expect(await earnedSlugs(app, author.user.id)).toContain('first-post');
    const events = await app.strapi.db
      .query('plugin::achievements.event')
      .findMany({ where: { userId: author.user.id, type: 'post.published' } });
    expect(events).toHaveLength(1);
  });

  it('the app keeps answering while it does', async () => {
    const res = await app.request().get('/api/achievements/badges');
    expect(res.status).toBe(200);
    expect(await plugin(app).service('events').pendingCount()).toBe(0);
  });
});
