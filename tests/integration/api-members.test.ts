import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { badgeBySlug, drain, enableAchievements, plugin } from './support/achievements';
import { API_PREFIX, call } from './support/openapi';

const app = setupTestApp();

const SECOND = 1_000;
const slugs = (list: Array<{ slug: string }>) => list.map((b) => b.slug);
const settings = (patch: Record<string, unknown>) => plugin(app).service('settings').update(patch);

/**
 * Records events for a member, each `secondsAgo`, draining after each one: the engine stamps an
 * award with the time of the last event of its batch, and the card orders by award time.
 */
const happen = async (
  member: Member,
  events: Array<{ type: string; subject: string; secondsAgo: number }>
) => {
  for (const e of events) {
    await plugin(app)
      .service('events')
      .record({
        type: e.type,
        userId: member.user.id,
        key: `${member.user.id}:${e.type}:${e.subject}`,
        subject: e.subject,
        occurredAt: Date.now() - e.secondsAgo * SECOND,
      });
    await drain(app);
  }
};

const card = (member: Member, token?: string) =>
  call(app, 'GET', `${API_PREFIX}/users/${member.user.id}/card`, { token });
const modal = (member: Member, token?: string) =>
  call(app, 'GET', `${API_PREFIX}/users/${member.user.documentId}`, { token });
const feature = (member: Member, body: unknown) =>
  call(app, 'PUT', `${API_PREFIX}/me/featured`, { token: member.jwt, body });

/** A card with nothing earned on it, out of `totalAvailable` badges. */
const emptyCard = (enabled: boolean, totalAvailable: number) => ({
  enabled,
  badges: [],
  totalEarned: 0,
  totalAvailable,
  points: 0,
});

/**
 * Ada's points from her events (default points per event): a lesson 10, a module 25, a course
 * 100, a post 5; comments give none.
 */
const EVENT_POINTS = 10 + 25 + 100 + 5;

const badgeIn = (body: any, slug: string) =>
  body.categories.flatMap((c: any) => c.badges).find((b: any) => b.slug === slug);

describe('the card, the modal and the catalog', () => {
  let ada: Member;
  let bob: Member;

  beforeAll(async () => {
    await enableAchievements(app);
    await settings({ card: { badgesToShow: 3, position: 'main' } });
    ada = await registerMember(app);
    bob = await registerMember(app);
    // Ada: bronze, silver, gold and bronze, oldest first.
    await happen(ada, [
      { type: 'lesson.completed', subject: 'lesson-1', secondsAgo: 40 },
      { type: 'module.completed', subject: 'module-1', secondsAgo: 30 },
      { type: 'course.completed', subject: 'course-1', secondsAgo: 20 },
      { type: 'post.published', subject: 'post-1', secondsAgo: 10 },
      { type: 'comment.created', subject: 'comment-1', secondsAgo: 9 },
      { type: 'comment.created', subject: 'comment-2', secondsAgo: 8 },
      { type: 'comment.created', subject: 'comment-3', secondsAgo: 7 },
    ]);
  });

  describe('GET /users/:userId/card', () => {
    it('shows at most badgesToShow earned badges: highest tier first, then most recent', async () => {
      const res = await card(ada);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        enabled: true,
        position: 'main',
        badgesToShow: 3,
        user: { id: ada.user.id, documentId: ada.user.documentId, username: ada.user.username },
        totalEarned: 4,
        totalAvailable: 19,
        points: 25 + 50 + 100 + 25 + EVENT_POINTS,
      });
      expect(slugs(res.body.badges)).toEqual(['course-complete', 'module-complete', 'first-post']);
      const [gold] = res.body.badges;
      expect(gold).toMatchObject({
        name: 'Graduate',
        tier: 'gold',
        points: 100,
        timesEarned: 1,
        featured: false,
      });
      expect(Date.parse(gold.earnedAt)).toBeLessThan(Date.parse(res.body.badges[2].earnedAt));
      expect(gold.image.url).toMatch(/^\/uploads\/.*\.svg$/);
    });

    it('follows badgesToShow and position from the settings', async () => {
      await settings({ card: { badgesToShow: 10, position: 'header' } });
      const res = await card(ada);
      expect(res.body.position).toBe('header');
      expect(res.body.badgesToShow).toBe(10);
      expect(slugs(res.body.badges)).toEqual([
        'course-complete',
        'module-complete',
        'first-post',
        'first-lesson',
      ]);
      await settings({ card: { badgesToShow: 3, position: 'main' } });
    });

    it('puts featured badges first, in the order the member chose', async () => {
      const res = await feature(ada, { badges: ['first-lesson', 'first-post'] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ badges: ['first-lesson', 'first-post'] });
      const shown = (await card(ada)).body.badges;
      expect(slugs(shown)).toEqual(['first-lesson', 'first-post', 'course-complete']);
      expect(shown.map((b: any) => b.featured)).toEqual([true, true, false]);
      const me = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
      expect(me.body.preferences.featured).toEqual(['first-lesson', 'first-post']);
    });

    it.each([
      [
        { badges: ['first-lesson', 'first-post', 'course-complete', 'module-complete'] },
        'badges',
        /at most 3/,
      ],
      [{ badges: ['commenter'] }, 'badges.0', /"commenter" is not a badge you have earned/],
      [
        { badges: ['first-lesson', 'no-such-badge'] },
        'badges.1',
        /"no-such-badge" is not a badge you have earned/,
      ],
      [{ badges: ['first-lesson', 'first-lesson'] }, 'badges.1', /listed twice/],
      [{ badges: 'first-lesson' }, 'badges', /list of badge slugs/],
      [{ badges: [42] }, 'badges.0', /badge slug/],
      [{ badges: ['Not a slug!'] }, 'badges.0', /badge slug/],
      [{ badges: [], colour: 'red' }, 'colour', /unknown field/],
      [{}, 'badges', /required|list of badge slugs/],
      [[], 'body', /JSON object/],
    ])(
      'refuses featured %j with 400 naming %s, and keeps the old choice',
      async (body, path, message) => {
        const res = await feature(ada, body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
        expect(res.body.error.details.errors.map((e: { path: string }) => e.path)).toContain(path);
        const me = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
        expect(me.body.preferences.featured).toEqual(['first-lesson', 'first-post']);
      }
    );

    it('shows the card as disabled when the card is off, and empty when achievements are off', async () => {
      await settings({ card: { enabled: false } });
      const off = await card(ada);
      expect(off.body.enabled).toBe(false);
      expect(off.body.badges).toHaveLength(3);

      await settings({ card: { enabled: true } });
      await enableAchievements(app, false);
      const disabled = await card(ada);
      expect(disabled.body).toMatchObject(emptyCard(false, 0));
      const achievements = await modal(ada);
      expect(achievements.body).toMatchObject({ enabled: false, categories: [], points: 0 });
      const catalog = await call(app, 'GET', `${API_PREFIX}/badges`);
      expect(catalog.body.data).toEqual([]);

      await enableAchievements(app, true);
      const back = await card(ada);
      expect(back.body.enabled).toBe(true);
      expect(back.body.totalEarned).toBe(4);
    });

    it('an empty card for a member with nothing earned', async () => {
      const res = await card(bob);
      expect(res.body).toMatchObject(emptyCard(true, 19));
    });
  });

  describe('GET /users/:userId and /me (the modal)', () => {
    it('lists every category in order with every visible badge, earned or locked with progress', async () => {
      const res = await modal(ada, bob.jwt);
      expect(res.status).toBe(200);
      expect(res.body.enabled).toBe(true);
      expect(res.body.user).toEqual({
        id: ada.user.id,
        documentId: ada.user.documentId,
        username: ada.user.username,
      });
      expect(res.body.categories.map((c: any) => c.slug)).toEqual([
        'profile',
        'courses',
        'community',
        'engagement',
      ]);
      expect(res.body.categories.map((c: any) => c.badges.length)).toEqual([4, 6, 5, 3]);
      expect(res.body.points).toBe(200 + EVENT_POINTS);
      expect(res.body).toMatchObject({ totalEarned: 4, totalAvailable: 19 });

      const earned = badgeIn(res.body, 'first-lesson');
      expect(earned).toMatchObject({
        earned: true,
        timesEarned: 1,
        progress: null,
        criteriaText: 'Complete a lesson',
      });
      // Stamped with the time of the event that earned it (40 s before it was recorded).
      expect(Date.parse(earned.earnedAt)).toBeLessThan(Date.now() - 39 * SECOND);
      expect(Date.parse(earned.earnedAt)).toBeGreaterThan(Date.now() - 10 * 60 * SECOND);

      // Counted events: the progress the engine stored.
      expect(badgeIn(res.body, 'commenter')).toMatchObject({
        earned: false,
        earnedAt: null,
        criteriaText: 'Write 10 comments',
        progress: { current: 3, target: 10, percent: 30 },
      });
      // Meta badges: computed from what Ada holds now.
      const shownProgress = (slug: string) => badgeIn(res.body, slug).progress;
      expect(shownProgress('five-badges')).toEqual({ current: 4, target: 5, percent: 80 });
      expect(shownProgress('points-1000')).toEqual({ current: 200, target: 1000, percent: 20 });
      // Streaks: from the live streak (one active day so far).
      expect(badgeIn(res.body, 'streak-3')).toMatchObject({
        criteriaText: 'Keep a 3-day learning streak',
        progress: { current: 1, target: 3, percent: 33 },
      });
      expect(shownProgress('profile-picture')).toEqual({ current: 0, target: 1, percent: 0 });
    });

    it('shows secret badges not earned only as a count per category', async () => {
      const res = await modal(ada);
      const engagement = res.body.categories.find((c: any) => c.slug === 'engagement');
      expect(engagement.secret).toEqual({ count: 1, earned: 0 });
      expect(slugs(engagement.badges)).toEqual(['five-badges', 'points-1000', 'active-30-days']);
      for (const category of res.body.categories.filter((c: any) => c.slug !== 'engagement')) {
        expect(category.secret).toEqual({ count: 0, earned: 0 });
      }
    });

    it('reports the streak as of now, in the member’s timezone, to the member alone', async () => {
      const own = {
        current: 1,
        longest: 1,
        lastActiveDate: new Date(Date.now() - 7 * SECOND).toISOString().slice(0, 10),
        timezone: 'UTC',
      };
      expect((await modal(ada, ada.jwt)).body.streak).toEqual(own);
      expect((await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt })).body.streak).toEqual(
        own
      );
      // Anyone else sees the counts alone: the day and timezone say when and where she is active.
      expect((await modal(ada)).body.streak).toEqual({ current: 1, longest: 1 });
      expect((await modal(ada, bob.jwt)).body.streak).toEqual({ current: 1, longest: 1 });
      const none = await call(app, 'GET', `${API_PREFIX}/me`, { token: bob.jwt });
      expect(none.body.streak).toEqual({
        current: 0,
        longest: 0,
        lastActiveDate: null,
        timezone: 'UTC',
      });
      expect((await modal(bob)).body.streak).toEqual({ current: 0, longest: 0 });
    });

    it('says nothing of when or where a member is active in any public body', async () => {
      for (const res of [await modal(ada), await modal(ada, bob.jwt), await card(ada)]) {
        expect(res.status).toBe(200);
        expect(JSON.stringify(res.body)).not.toMatch(/timezone|lastActiveDate|UTC/);
      }
      await enableAchievements(app, false);
      try {
        const off = await modal(ada);
        expect(off.body.streak).toEqual({ current: 0, longest: 0 });
        expect((await modal(ada, ada.jwt)).body.streak.timezone).toBe('UTC');
      } finally {
        await enableAchievements(app, true);
      }
    });

    it('computes rarity and earned counts from the data', async () => {
      plugin(app).service('statistics').invalidate();
      const members = await app.strapi.db.query('plugin::users-permissions.user').count({});
      const res = await call(app, 'GET', `${API_PREFIX}/me`, { token: bob.jwt });
      const firstLesson = badgeIn(res.body, 'first-lesson');
      expect(firstLesson.earnedCount).toBe(1);
      expect(firstLesson.rarity).toBeCloseTo(1 / members, 4);
      expect(badgeIn(res.body, 'streak-30')).toMatchObject({ earnedCount: 0, rarity: 0 });

      // Bob earns it too: the award marks the statistics stale, a read starts their refresh
      // (answering with the previous figures meanwhile), and the share doubles.
      await happen(bob, [{ type: 'lesson.completed', subject: 'lesson-1', secondsAgo: 1 }]);
      const firstLessonNow = async () => {
        const res = await call(app, 'GET', `${API_PREFIX}/badges?category=courses`);
        return res.body.data.find((b: any) => b.slug === 'first-lesson');
      };
      let updated = await firstLessonNow();
      for (let tries = 0; updated.earnedCount !== 2 && tries < 40; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        updated = await firstLessonNow();
      }
      expect(updated.earnedCount).toBe(2);
      expect(updated.rarity).toBeCloseTo(2 / members, 4);
    });

    it('does not show revoked achievements, nor count their points', async () => {
      const badge = await badgeBySlug(app, 'first-post');
      await plugin(app)
        .service('admin')
        .revoke(ada.user.id, badge.id, { adminId: 1, reason: 'duplicate post' });
      const res = await modal(ada);
      expect(badgeIn(res.body, 'first-post')).toMatchObject({
        earned: false,
        earnedAt: null,
        timesEarned: 0,
      });
      expect(res.body.points).toBe(175 + EVENT_POINTS);
      expect(res.body.totalEarned).toBe(3);
      const shown = await card(ada);
      // Still featured, but no longer held: skipped.
      expect(slugs(shown.body.badges)).toEqual([
        'first-lesson',
        'course-complete',
        'module-complete',
      ]);
      const refused = await feature(ada, { badges: ['first-post'] });
      expect(refused.status).toBe(400);
      await app.strapi.db
        .query('plugin::achievements.achievement')
        .update({ where: { userId: ada.user.id, badgeId: badge.id }, data: { revokedAt: null } });
    });

    it('/me without a sign-in is refused, and the member’s own view equals the public one', async () => {
      expect((await call(app, 'GET', `${API_PREFIX}/me`)).status).toBe(403);
      const mine = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
      const theirs = await modal(ada, bob.jwt);
      const { preferences, ...rest } = mine.body;
      expect(preferences).toEqual({
        featured: ['first-lesson', 'first-post'],
        public: true,
        leaderboards: true,
        email: true,
        language: null,
      });
      // Except the streak's day and timezone, which only the member sees.
      const { lastActiveDate, timezone, ...counts } = rest.streak;
      expect([typeof lastActiveDate, timezone]).toEqual(['string', 'UTC']);
      expect({ ...rest, streak: counts }).toEqual(theirs.body);
    });
  });

  describe('GET /badges', () => {
    it('lists enabled badges in category order, with pagination and categories', async () => {
      const res = await call(app, 'GET', `${API_PREFIX}/badges`);
      expect(res.status).toBe(200);
      expect(res.body.meta.pagination).toEqual({ page: 1, pageSize: 25, pageCount: 1, total: 18 });
      expect(res.body.meta.categories.map((c: any) => c.slug)).toEqual([
        'profile',
        'courses',
        'community',
        'engagement',
      ]);
      expect(res.body.data.map((b: any) => b.category)).toEqual([
        ...Array(4).fill('profile'),
        ...Array(6).fill('courses'),
        ...Array(5).fill('community'),
        ...Array(3).fill('engagement'),
      ]);
      expect(res.body.data[0]).toMatchObject({
        slug: 'profile-picture',
        criteriaText: 'Add a profile picture',
        secret: false,
      });
    });

    it('pages with page and pageSize, and filters by category', async () => {
      const second = await call(app, 'GET', `${API_PREFIX}/badges?page=2&pageSize=5`);
      expect(second.body.meta.pagination).toEqual({
        page: 2,
        pageSize: 5,
        pageCount: 4,
        total: 18,
      });
      // Page 1 is the four Profile badges and the first Courses one.
      expect(slugs(second.body.data)).toEqual([
        'module-complete',
        'course-complete',
        'streak-3',
        'streak-7',
        'streak-30',
      ]);
      const beyond = await call(app, 'GET', `${API_PREFIX}/badges?page=9&pageSize=5`);
      expect(beyond.body.data).toEqual([]);
      const community = await call(
        app,
        'GET',
        `${API_PREFIX}/badges?category=community&pageSize=100`
      );
      expect(slugs(community.body.data)).toEqual([
        'first-post',
        'commenter',
        'helpful',
        'reactions-10',
        'reactions-50',
      ]);
      const unknown = await call(app, 'GET', `${API_PREFIX}/badges?category=nope`);
      expect(unknown.body.meta.pagination.total).toBe(0);
    });

    it.each([
      ['pageSize=101', 'pageSize', /between 1 and 100/],
      ['pageSize=0', 'pageSize', /between 1 and 100/],
      ['pageSize=abc', 'pageSize', /whole number/],
      ['page=0', 'page', /between 1 and 10000/],
      ['page=1.5', 'page', /whole number/],
      ['page=-1', 'page', /whole number/],
      ['page=1&page=2', 'page', /single/],
      ['page[x]=1', 'page', /single/],
      ['category=Not%20a%20slug', 'category', /category slug/],
      ['sort=name', 'sort', /unknown parameter/],
    ])('refuses ?%s with 400 naming %s', async (query, name, message) => {
      const res = await call(app, 'GET', `${API_PREFIX}/badges?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(new RegExp(`^${name}: `));
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.details.errors[0].path).toBe(name);
    });
  });

  describe('validation of :userId and of query parameters', () => {
    it.each([
      '0',
      '-1',
      '1.5',
      '99999999999',
      '2147483648',
      'has-dash',
      'a'.repeat(65),
      'x%20y',
      '%F0%9F%8F%86',
    ])('refuses userId %s with 400 naming userId', async (ref) => {
      for (const url of [`/users/${ref}/card`, `/users/${ref}`]) {
        const res = await call(app, 'GET', `${API_PREFIX}${url}`);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/^userId: /);
      }
    });

    it('refuses unknown query parameters on the member routes', async () => {
      for (const url of [`/users/${ada.user.id}/card?x=1`, `/users/${ada.user.id}?populate=*`]) {
        const res = await call(app, 'GET', `${API_PREFIX}${url}`);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/unknown parameter/);
      }
      const me = await call(app, 'GET', `${API_PREFIX}/me?fields=email`, { token: ada.jwt });
      expect(me.status).toBe(400);
      expect(me.body.error.message).toBe('fields: unknown parameter');
    });

    it.each([
      [{ public: 'no' }, 'public', /true or false/],
      [{}, 'public', /true or false/],
      [{ public: false, email: 'x' }, 'email', /unknown field/],
    ])('refuses privacy %j with 400 naming %s', async (body, path, message) => {
      const res = await call(app, 'PUT', `${API_PREFIX}/me/privacy`, { token: ada.jwt, body });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(message);
      expect(res.body.error.details.errors[0].path).toBe(path);
      expect((await card(ada)).status).toBe(200);
    });
  });
});
