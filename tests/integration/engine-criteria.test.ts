import { setupTestApp, superAdminToken } from './helpers/strapi';
import { plugin } from './support/achievements';

/** A bad rule is refused on every write path with a message naming the field; nothing is stored. */
const app = setupTestApp();

const nested = (depth: number): unknown =>
  depth === 0
    ? { type: 'count', event: 'lesson.completed', threshold: 1 }
    : { type: 'all', of: [nested(depth - 1)] };

const BAD: Array<[string, unknown, string]> = [
  ['an unknown type', { type: 'karma', threshold: 5 }, 'criteria.type'],
  [
    'a negative threshold',
    { type: 'count', event: 'lesson.completed', threshold: -5 },
    'criteria.threshold',
  ],
  [
    'a threshold of 10^12',
    { type: 'count', event: 'lesson.completed', threshold: 1e12 },
    'criteria.threshold',
  ],
  ['nesting 50 levels deep', nested(50), 'criteria.of.0.of.0.of.0.of.0'],
  [
    'an event no trigger produces',
    { type: 'count', event: 'video.skipped', threshold: 1 },
    'criteria.event',
  ],
  [
    'a string where a number belongs',
    { type: 'count', event: 'lesson.completed', threshold: '5' },
    'criteria.threshold',
  ],
  ['a string streak length', { type: 'streak', days: 'seven' }, 'criteria.days'],
  ['an unknown profile field', { type: 'profile', fields: ['shoeSize'] }, 'criteria.fields'],
];

describe('badge criteria validation', () => {
  let admin: string;
  const count = () => app.strapi.db.query('plugin::achievements.badge').count({});

  beforeAll(async () => {
    admin = await superAdminToken(app);
  });

  // Badges are written through the plugin's admin API (the content manager does not show them:
  // one permission path, see admin-default-roles.test.ts).
  it.each(BAD)(
    'the admin API refuses %s with 400 naming the field',
    async (_label, criteria, field) => {
      const before = await count();
      const res = await app
        .request()
        .post('/achievements/badges')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name: 'Bad badge', tier: 'bronze', points: 10, criteria });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
      expect(await count()).toBe(before);
    }
  );

  it.each(BAD)(
    'the document service refuses %s with a ValidationError',
    async (_label, criteria, field) => {
      const before = await count();
      await expect(
        app.strapi.documents('plugin::achievements.badge').create({
          data: {
            name: 'Bad badge',
            slug: 'bad-badge',
            tier: 'bronze',
            points: 10,
            criteria,
          } as any,
        })
      ).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringContaining(field) });
      expect(await count()).toBe(before);
    }
  );

  it('the plugin service refuses them too, without touching the database', () => {
    const badges = plugin(app).service('badges');
    for (const [, criteria, field] of BAD) {
      expect(() => badges.validateCriteria(criteria)).toThrow(field);
    }
  });

  it("an update that breaks a badge's criteria is refused and the badge keeps its rule", async () => {
    const badge = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { slug: 'commenter' } });
    const res = await app
      .request()
      .put(`/achievements/badges/${badge.documentId}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ criteria: { type: 'count', event: 'comment.created', threshold: 0 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('criteria.threshold');
    const after = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { slug: 'commenter' } });
    expect(after.criteria).toEqual({ type: 'count', event: 'comment.created', threshold: 10 });
  });

  it('a valid rule is stored as given', async () => {
    const criteria = {
      type: 'any',
      of: [
        { type: 'count', event: 'lesson.watched', threshold: 20, withinDays: 7 },
        {
          type: 'all',
          of: [
            { type: 'streak', days: 14 },
            { type: 'points', threshold: 500 },
          ],
        },
      ],
    };
    const res = await app
      .request()
      .post('/achievements/badges')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'Binge learner', tier: 'gold', points: 40, criteria });
    expect(res.status).toBe(201);
    const saved = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { slug: 'binge-learner' } });
    expect(saved.criteria).toEqual(criteria);
  });
});
