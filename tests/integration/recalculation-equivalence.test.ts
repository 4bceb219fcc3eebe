import { registerMember, setupTestApp, superAdminToken, type Member } from './helpers/strapi';
import { academy, createCourse, ok, type CourseFixture } from './support/academy';
import { drain, enableAchievements, plugin } from './support/achievements';
import { mismatches, snapshotDerived, wipeDerived, type Snapshot } from './support/derived-tables';

/**
 * Recalculation is equivalent to living through the history. One history that exercises every
 * criteria kind is played live — facts enter through the academy's own member API, dated facts
 * through the events service, the admin's revocation through the admin API — and the derived
 * tables (achievements, progress, streaks) are read. Then those tables are wiped (the ledger and
 * the badges stay), the recalculation runs, and every row must come back field by field,
 * earnedAt and the admin's revocation included.
 *
 * Freezes are on (one a month), so a missed day can be bridged.
 */
const app = setupTestApp({ env: { ACHIEVEMENTS_FREEZES_PER_MONTH: '1' } });

type Who = 'nora' | 'ada' | 'ben' | 'cy' | 'dee';
const MEMBERS: Who[] = ['nora', 'ada', 'ben', 'cy', 'dee'];

/** Badges beyond the seeded catalog, so every criteria kind is in play. 10 points each. */
const BADGES: Array<{
  slug: string;
  category: string;
  criteria: Record<string, unknown>;
  repeatable?: boolean;
  maxRepeats?: number;
  autoRevoke?: boolean;
}> = [
  // count, distinct subject: three different lessons
  {
    slug: 'eq-three-lessons',
    category: 'engagement',
    criteria: { type: 'count', event: 'lesson.completed', threshold: 3, distinct: 'subject' },
  },
  // count, distinct day, over two event types
  {
    slug: 'eq-four-days',
    category: 'engagement',
    criteria: {
      type: 'count',
      event: ['lesson.completed', 'lesson.watched'],
      threshold: 4,
      distinct: 'day',
    },
  },
  // count, withinDays
  {
    slug: 'eq-sprint',
    category: 'engagement',
    criteria: { type: 'count', event: 'lesson.completed', threshold: 3, withinDays: 2 },
  },
  // count, where
  {
    slug: 'eq-videos',
    category: 'engagement',
    criteria: { type: 'count', event: 'lesson.watched', threshold: 2, where: { kind: 'video' } },
  },
  // count, distinct actor, auto-revoked when a reaction is withdrawn
  {
    slug: 'eq-fans',
    category: 'community',
    criteria: { type: 'count', event: 'reaction.received', threshold: 2, distinct: 'actor' },
    autoRevoke: true,
  },
  // auto-revoked when the post is deleted (post.retracted), earned again by a new one
  {
    slug: 'eq-poster',
    category: 'community',
    criteria: { type: 'count', event: 'post.published', threshold: 1 },
    autoRevoke: true,
  },
  // repeatable: once per two comments, at most twice
  {
    slug: 'eq-chatty',
    category: 'community',
    criteria: { type: 'count', event: 'comment.created', threshold: 2 },
    repeatable: true,
    maxRepeats: 2,
  },
  // meta, with count and category (the seeded five-badges has count only, completionist
  // category only)
  {
    slug: 'eq-collector',
    category: 'engagement',
    criteria: { type: 'badges', count: 2, category: 'community' },
  },
  { slug: 'eq-scorer', category: 'engagement', criteria: { type: 'points', threshold: 300 } },
  {
    slug: 'eq-learner-with-bio',
    category: 'engagement',
    criteria: {
      type: 'all',
      of: [
        { type: 'count', event: 'lesson.completed', threshold: 1 },
        { type: 'profile', fields: ['bio'] },
      ],
    },
  },
  {
    slug: 'eq-either',
    category: 'engagement',
    criteria: {
      type: 'any',
      of: [
        { type: 'streak', days: 30 },
        { type: 'count', event: 'comment.created', threshold: 3 },
      ],
    },
  },
];

/**
 * The history, in the order it happens. A fact with `at` is dated and recorded through the
 * events service (as another back-end would); `academy` goes through the academy's member API
 * now (its own triggers make the events); `admin` through the plugin's admin API. Posts,
 * comments and reactions are named here and resolved to documentIds as they are created.
 */
type Fact = { who: Who } & (
  | { at: string; event: string; subject: string; data?: Record<string, string> }
  | { academy: 'profile'; body: Record<string, unknown> }
  | { academy: 'completeLesson'; lesson: number }
  | { academy: 'post'; post: string }
  | { academy: 'deletePost'; post: string }
  | { academy: 'comment'; post: string; comment: string }
  | { academy: 'helpful'; comment: string }
  | { academy: 'react'; post: string; reaction: string; kind?: string }
  | { academy: 'unreact'; reaction: string }
  | { admin: 'revoke'; badge: string; reason: string }
);

const FACTS: Fact[] = [
  { who: 'nora', academy: 'profile', body: { timezone: 'America/New_York' } },
  // Nora learns in New York across the switch to daylight time (Sunday 8 March 2026, 02:00):
  // the late evenings fall on the next UTC day, 9 March 00:15 EDT would be 8 March in EST, and
  // 10 March is missed and bridged by the month's freeze.
  { who: 'nora', at: '2026-03-04T21:00:00-05:00', event: 'lesson.completed', subject: 'l-1' },
  { who: 'nora', at: '2026-03-05T23:50:00-05:00', event: 'lesson.completed', subject: 'l-1' },
  { who: 'nora', at: '2026-03-06T08:00:00-05:00', event: 'lesson.completed', subject: 'l-2' },
  {
    who: 'nora',
    at: '2026-03-07T12:00:00-05:00',
    event: 'lesson.watched',
    subject: 'l-3',
    data: { kind: 'video' },
  },
  { who: 'nora', at: '2026-03-07T23:30:00-05:00', event: 'lesson.completed', subject: 'l-3' },
  { who: 'nora', at: '2026-03-08T22:00:00-04:00', event: 'lesson.completed', subject: 'l-4' },
  { who: 'nora', at: '2026-03-09T00:15:00-04:00', event: 'lesson.completed', subject: 'l-5' },
  { who: 'nora', at: '2026-03-11T07:00:00-04:00', event: 'lesson.completed', subject: 'l-6' },
  {
    who: 'nora',
    at: '2026-03-12T12:00:00-04:00',
    event: 'lesson.watched',
    subject: 'l-6',
    data: { kind: 'article' },
  },
  { who: 'nora', at: '2026-03-12T21:00:00-04:00', event: 'lesson.completed', subject: 'l-7' },
  {
    who: 'nora',
    at: '2026-03-20T12:00:00-04:00',
    event: 'lesson.watched',
    subject: 'l-7',
    data: { kind: 'video' },
  },
  // Ada learns alone in April, days apart (never three within two days).
  { who: 'ada', at: '2026-04-01T10:00:00Z', event: 'lesson.completed', subject: 'l-a1' },
  { who: 'ada', at: '2026-04-05T10:00:00Z', event: 'lesson.completed', subject: 'l-a2' },
  { who: 'ada', at: '2026-04-10T10:00:00Z', event: 'lesson.completed', subject: 'l-a3' },
  // Now, in the academy: Ada finishes the course (module and course completions follow) …
  { who: 'ada', academy: 'completeLesson', lesson: 0 },
  { who: 'ada', academy: 'completeLesson', lesson: 1 },
  {
    who: 'ada',
    academy: 'profile',
    body: {
      bio: 'I learn in the evenings.',
      socialLinks: [{ platform: 'github', url: 'https://github.com/ada' }],
    },
  },
  // … posts, comments five times on Ben's question, one comment marked helpful …
  { who: 'ben', academy: 'post', post: 'ben-question' },
  { who: 'ada', academy: 'post', post: 'ada-hello' },
  { who: 'ada', academy: 'comment', post: 'ben-question', comment: 'ada-1' },
  { who: 'ada', academy: 'comment', post: 'ben-question', comment: 'ada-2' },
  { who: 'ada', academy: 'comment', post: 'ben-question', comment: 'ada-3' },
  { who: 'ada', academy: 'comment', post: 'ben-question', comment: 'ada-4' },
  { who: 'ada', academy: 'comment', post: 'ben-question', comment: 'ada-5' },
  { who: 'ben', academy: 'helpful', comment: 'ada-1' },
  // … reactions from distinct members …
  { who: 'cy', academy: 'react', post: 'ben-question', reaction: 'cy-on-ben' },
  { who: 'dee', academy: 'react', post: 'ben-question', reaction: 'dee-on-ben' },
  { who: 'dee', academy: 'react', post: 'ada-hello', reaction: 'dee-on-ada', kind: 'love' },
  // … an admin revokes Ada's first post badge: it must stand, whatever follows …
  { who: 'ada', admin: 'revoke', badge: 'first-post', reason: 'Posted spam' },
  // … Cy withdraws a reaction: Ben's eq-fans no longer holds (auto-revoke) …
  { who: 'cy', academy: 'unreact', reaction: 'cy-on-ben' },
  // … Cy deletes a post (post.retracted: eq-poster revoked), then posts again (earned again) …
  { who: 'cy', academy: 'post', post: 'cy-draft' },
  { who: 'cy', academy: 'deletePost', post: 'cy-draft' },
  { who: 'cy', academy: 'post', post: 'cy-again' },
  // … and Ada posts again: her revoked first-post badge stays revoked.
  { who: 'ada', academy: 'post', post: 'ada-second' },
];

const members = new Map<Who, Member>();
/** Names of the posts, comments and reactions the history creates → their documentIds. */
const docs = new Map<string, string>();
let course: CourseFixture;
let adminToken: string;
let live: Snapshot;

const names = async () => {
  const badges = await app.strapi.db.query('plugin::achievements.badge').findMany({});
  return {
    members: new Map([...members].map(([who, m]) => [m.user.id, who as string])),
    badges: new Map<number, string>(badges.map((b: any) => [b.id, b.slug])),
    documents: new Map([...docs].map(([label, documentId]) => [documentId, label])),
  };
};
const badgeDocumentId = async (slug: string) =>
  (await app.strapi.db.query('plugin::achievements.badge').findOne({ where: { slug } }))
    .documentId as string;

const play = async (fact: Fact, index: number) => {
  const member = members.get(fact.who)!;
  const api = academy(app);
  if ('at' in fact) {
    await plugin(app)
      .service('events')
      .record({
        type: fact.event,
        userId: member.user.id,
        key: `equivalence:${index}`,
        subject: fact.subject,
        occurredAt: new Date(fact.at).toISOString(),
        ...(fact.data ? { data: fact.data } : {}),
      });
  } else if ('admin' in fact) {
    const res = await app
      .request()
      .post(`/achievements/members/${member.user.id}/revoke`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ badge: await badgeDocumentId(fact.badge), reason: fact.reason });
    ok(res, 200);
  } else if (fact.academy === 'profile') {
    ok(await api.updateProfile(member, fact.body));
  } else if (fact.academy === 'completeLesson') {
    ok(await api.completeLesson(member, course.modules[0].lessons[fact.lesson]));
  } else if (fact.academy === 'post') {
    docs.set(fact.post, ok(await api.createPost(member, fact.post)).body.data.documentId);
  } else if (fact.academy === 'deletePost') {
    ok(await api.deletePost(member, docs.get(fact.post)!));
  } else if (fact.academy === 'comment') {
    const res = ok(await api.comment(member, docs.get(fact.post)!, fact.comment));
    docs.set(fact.comment, res.body.data.documentId);
  } else if (fact.academy === 'helpful') {
    ok(await api.markHelpful(member, docs.get(fact.comment)!));
  } else if (fact.academy === 'react') {
    const res = ok(await api.react(member, { post: docs.get(fact.post)! }, fact.kind));
    docs.set(fact.reaction, res.body.data.documentId);
  } else {
    ok(await api.unreact(member, docs.get(fact.reaction)!));
  }
  // Live means each fact is evaluated before the next one happens.
  await drain(app);
};

describe('recalculation rebuilds what living through the history built', () => {
  beforeAll(async () => {
    // The badges exist before anything happens, as they would on a site running for a while.
    const categories = app.strapi.documents('plugin::achievements.category' as any) as any;
    const badges = app.strapi.documents('plugin::achievements.badge' as any) as any;
    for (const { category, ...badge } of BADGES) {
      const inCategory = await categories.findFirst({ filters: { slug: category } });
      await badges.create({
        data: {
          name: badge.slug.replace(/-/g, ' '),
          tier: 'bronze',
          points: 10,
          enabled: true,
          category: inCategory.documentId,
          ...badge,
        },
      });
    }
    plugin(app).service('catalog').invalidate();
    adminToken = await superAdminToken(app);
    await enableAchievements(app);
    course = await createCourse(app, { modules: 1, lessons: 2 });
    for (const who of MEMBERS) members.set(who, await registerMember(app, `${who}_equivalence`));
  });

  it('plays the history live, and the history covers what it claims to', async () => {
    const dated = FACTS.flatMap((f) => ('at' in f ? [new Date(f.at).getTime()] : []));
    expect(dated).toEqual([...dated].sort((a, b) => a - b));
    expect(Math.max(...dated)).toBeLessThan(Date.now());
    for (const [i, fact] of FACTS.entries()) await play(fact, i);
    live = await snapshotDerived(app, await names());

    const at = (iso: string) => new Date(iso).toISOString();
    const row = (key: string) => live.achievements.get(key);
    // The streak across the DST change, with the freeze spent on 10 March.
    expect(live.streaks.get('nora')).toMatchObject({
      current: 8,
      longest: 8,
      lastActiveDay: '2026-03-12',
      timezone: 'America/New_York',
      freezesUsed: 1,
      freezesMonth: '2026-03',
    });
    expect(row('nora · streak-7 #1')?.earnedAt).toBe(at('2026-03-11T07:00:00-04:00'));
    expect(row('nora · eq-sprint #1')?.earnedAt).toBe(at('2026-03-06T08:00:00-05:00'));
    expect(row('nora · eq-four-days #1')?.earnedAt).toBe(at('2026-03-07T12:00:00-05:00'));
    expect(row('nora · eq-videos #1')?.earnedAt).toBe(at('2026-03-20T12:00:00-04:00'));
    expect(live.progress.get('ada · eq-sprint')).toMatchObject({ current: 2, target: 3 });
    // Repeatable, capped at two.
    expect([...live.achievements.keys()].filter((k) => k.startsWith('ada · eq-chatty'))).toEqual([
      'ada · eq-chatty #1',
      'ada · eq-chatty #2',
    ]);
    expect(live.progress.get('ada · eq-chatty')).toMatchObject({ current: 2, target: 2 });
    // The admin's revocation, an auto-revocation that stands, one reinstated by a new post.
    expect(row('ada · first-post #1')).toMatchObject({
      revokedBy: expect.stringMatching(/^admin:/),
      revokeReason: 'Posted spam',
    });
    expect(row('ben · eq-fans #1')).toMatchObject({
      revokedBy: 'system',
      revokeReason: 'criteria no longer met',
    });
    expect(row('cy · eq-poster #1')).toMatchObject({ revokedAt: null });
    // Every badge of the table, and the seeded kinds, were earned by someone.
    const earned = new Set(
      [...live.achievements.keys()].map((key) => key.split(' · ')[1].replace(/ #\d+$/, ''))
    );
    for (const slug of [
      ...BADGES.map((b) => b.slug),
      'first-lesson',
      'module-complete',
      'course-complete',
      'streak-3',
      'streak-7',
      'complete-bio',
      'social-links',
      'first-post',
      'five-badges',
    ])
      expect([slug, earned.has(slug)]).toEqual([slug, true]);
  });

  it('a recalculation over the wiped derived tables gives back every row, field by field', async () => {
    await wipeDerived(app);
    const wiped = await snapshotDerived(app, await names());
    expect([wiped.achievements.size, wiped.progress.size, wiped.streaks.size]).toEqual([0, 0, 0]);
    const run = await plugin(app).service('recalculation').run({ notify: false });
    expect(run).toMatchObject({ status: 'done', phase: 'done', error: null });
    // The replay of the academy's documents finds every fact in the ledger already: the
    // recalculation works from the very facts the live engine judged.
    expect(run.added.events).toBe(0);
    expect((await plugin(app).service('recalculation').status())?.status).toBe('done');
    await drain(app);
    const recalculated = await snapshotDerived(app, await names());
    expect(recalculated.achievements.size).toBeGreaterThan(0);
    expect(mismatches(live, recalculated)).toEqual([]);
  });

  // An admin's revocation is a fact in the ledger (admin.revoked) besides its achievement row:
  // it stands after the derived tables are wiped and recalculated.
  it("the admin's revocation still stands after the recalculation", async () => {
    const after = await snapshotDerived(app, await names());
    expect(after.achievements.get('ada · first-post #1')).toMatchObject({
      revokedAt: live.achievements.get('ada · first-post #1')?.revokedAt,
      revokedBy: expect.stringMatching(/^admin:/),
      revokeReason: 'Posted spam',
    });
  });
});
