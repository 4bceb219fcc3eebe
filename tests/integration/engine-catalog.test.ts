import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy, createCourse, ok, type CourseFixture } from './support/academy';
import {
  drain,
  earnedSlugs,
  enableAchievements,
  plugin,
  progressOf,
  streakOf,
} from './support/achievements';

/**
 * Every default badge is earned by a member doing the matching thing through the academy's
 * member API — and not one step earlier.
 */
const app = setupTestApp();
const DAY = 86_400_000;

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64'
);

describe('the default catalog, earned through the academy', () => {
  let course: CourseFixture;
  let alice: Member;
  const api = () => academy(app);
  const earned = () => earnedSlugs(app, alice.user.id);

  beforeAll(async () => {
    await enableAchievements(app);
    course = await createCourse(app, { modules: 3, lessons: 2 });
    alice = await registerMember(app, 'alice_catalog');
    await drain(app);
  });

  it('profile badges: picture, bio, social links, then the complete profile', async () => {
    expect(await earned()).toEqual([]);
    ok(await api().updateProfile(alice, { bio: 'I teach and I learn.' }));
    await drain(app);
    expect(await earned()).toEqual(['complete-bio']);
    expect(await progressOf(app, alice.user.id, 'complete-profile')).toEqual({
      current: 1,
      target: 3,
    });

    ok(
      await api().updateProfile(alice, {
        socialLinks: [{ platform: 'github', url: 'https://github.com/alice' }],
      })
    );
    await drain(app);
    expect(await earned()).toEqual(['complete-bio', 'social-links']);
    expect(await progressOf(app, alice.user.id, 'complete-profile')).toEqual({
      current: 2,
      target: 3,
    });

    ok(await api().uploadAvatar(alice, PNG_1X1));
    await drain(app);
    expect(await earned()).toEqual([
      'complete-bio',
      'complete-profile',
      'profile-picture',
      'social-links',
    ]);
  });

  it('streaks of 3 and 7 days (not 2 and 6), and not yet 30, from lessons on the 29 days before today', async () => {
    const events = plugin(app).service('events');
    const today = Date.now();
    const day = async (n: number) => {
      await events.record({
        type: 'lesson.completed',
        userId: alice.user.id,
        key: `streak-day-${n}`,
        subject: `historic-lesson-${n}`,
        occurredAt: today - (29 - n) * DAY,
      });
      await drain(app);
    };
    for (let n = 0; n < 2; n += 1) await day(n);
    expect(await earned()).not.toContain('streak-3');
    await day(2);
    expect(await earned()).toContain('streak-3');
    for (let n = 3; n < 6; n += 1) await day(n);
    expect(await earned()).not.toContain('streak-7');
    await day(6);
    expect(await earned()).toContain('streak-7');
    for (let n = 7; n < 29; n += 1) await day(n);
    const streak = await streakOf(app, alice.user.id);
    expect(streak).toMatchObject({ current: 29, longest: 29 });
    expect(await earned()).not.toContain('streak-30');
    expect(await earned()).not.toContain('active-30-days');
  });

  it('courses: first lesson, a module (not after its first lesson), a course (not after its last-but-one lesson)', async () => {
    const lessons = course.modules.flatMap((m) => m.lessons);
    ok(await api().completeLesson(alice, lessons[0]));
    await drain(app);
    expect(await earned()).toContain('first-lesson');
    expect(await earned()).not.toContain('module-complete');
    // Today is the 30th consecutive (and the 30th active) day after the historic days above.
    expect(await earned()).toEqual(expect.arrayContaining(['streak-30', 'active-30-days']));

    ok(await api().completeLesson(alice, lessons[1]));
    await drain(app);
    expect(await earned()).toContain('module-complete');

    for (const lesson of lessons.slice(2, -1)) ok(await api().completeLesson(alice, lesson));
    await drain(app);
    expect(await earned()).not.toContain('course-complete');
    ok(await api().completeLesson(alice, lessons[lessons.length - 1]));
    await drain(app);
    expect(await earned()).toContain('course-complete');
    // Six profile/course badges so far, so the five-badges meta badge came with them.
    expect(await earned()).toContain('five-badges');
  });

  it('community: first post, ten comments (not nine), three helpful answers (not two)', async () => {
    const bob = await registerMember(app, 'bob_catalog');
    const post = ok(await api().createPost(bob, 'Questions', 'Ask here')).body.data.documentId;
    ok(await api().createPost(alice, 'My first post', 'Hello'));
    await drain(app);
    expect(await earned()).toContain('first-post');

    const comments: string[] = [];
    for (let i = 0; i < 9; i += 1)
      comments.push(ok(await api().comment(alice, post, `answer ${i}`)).body.data.documentId);
    await drain(app);
    expect(await earned()).not.toContain('commenter');
    expect(await progressOf(app, alice.user.id, 'commenter')).toEqual({ current: 9, target: 10 });
    comments.push(ok(await api().comment(alice, post, 'answer 10')).body.data.documentId);
    await drain(app);
    expect(await earned()).toContain('commenter');

    ok(await api().markHelpful(bob, comments[0]));
    ok(await api().markHelpful(bob, comments[1]));
    await drain(app);
    expect(await earned()).not.toContain('helpful');
    expect(await progressOf(app, alice.user.id, 'helpful')).toEqual({ current: 2, target: 3 });
    ok(await api().markHelpful(bob, comments[2]));
    await drain(app);
    expect(await earned()).toContain('helpful');
  });

  it('reactions: ten from ten different members earn "Crowd pleaser"; self-reactions and repeats from one member do not count', async () => {
    const post = ok(await api().createPost(alice, 'React to me', 'Please')).body.data.documentId;
    ok(await api().react(alice, { post }, 'love')); // self-reaction: ignored
    const fan = await registerMember(app, 'fan_catalog');
    const fanPosts = [];
    for (let i = 0; i < 3; i += 1)
      fanPosts.push(ok(await api().createPost(alice, `Post ${i}`, 'x')).body.data.documentId);
    for (const p of fanPosts) ok(await api().react(fan, { post: p }, 'like')); // one member, many reactions
    await drain(app);
    expect(await progressOf(app, alice.user.id, 'reactions-10')).toEqual({
      current: 1,
      target: 10,
    });

    const members: Member[] = [];
    for (let i = 0; i < 8; i += 1) members.push(await registerMember(app, `reactor_${i}_catalog`));
    for (const m of members) ok(await api().react(m, { post }, 'like'));
    await drain(app);
    expect(await progressOf(app, alice.user.id, 'reactions-10')).toEqual({
      current: 9,
      target: 10,
    });
    expect(await earned()).not.toContain('reactions-10');

    const tenth = await registerMember(app, 'reactor_10_catalog');
    ok(await api().react(tenth, { post }, 'insightful'));
    await drain(app);
    expect(await earned()).toContain('reactions-10');
  });

  it('engagement: every Courses badge gives the secret Completionist; 1,000 points gives High scorer', async () => {
    const slugs = await earned();
    for (const s of [
      'first-lesson',
      'module-complete',
      'course-complete',
      'streak-3',
      'streak-7',
      'streak-30',
    ]) {
      expect(slugs).toContain(s);
    }
    expect(slugs).toContain('completionist');
    const catalog = await plugin(app).service('catalog').get();
    const points = slugs.reduce(
      (sum, s) => sum + catalog.badges.find((b: any) => b.slug === s).points,
      0
    );
    expect(points).toBeGreaterThanOrEqual(1000);
    expect(slugs).toContain('points-1000');
    expect(slugs).not.toContain('reactions-50');
  });

  it('fifty different members reacting earns "Fan favourite" (and forty-nine do not)', async () => {
    const post = ok(await api().createPost(alice, 'Popular', 'yes')).body.data.documentId;
    // Ten distinct reactors already reacted to an earlier post; 39 more make 49.
    const more: Member[] = [];
    for (let i = 0; i < 40; i += 1) more.push(await registerMember(app, `crowd_${i}_catalog`));
    for (const m of more.slice(0, 39)) ok(await api().react(m, { post }, 'celebrate'));
    await drain(app);
    expect(await progressOf(app, alice.user.id, 'reactions-50')).toEqual({
      current: 49,
      target: 50,
    });
    expect(await earned()).not.toContain('reactions-50');
    ok(await api().react(more[39], { post }, 'celebrate'));
    await drain(app);
    expect(await earned()).toContain('reactions-50');
    expect(await earned()).toHaveLength(19);
  });
});
