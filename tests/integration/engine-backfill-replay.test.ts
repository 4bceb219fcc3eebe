import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy, createCourse, ok, type CourseFixture } from './support/academy';
import { achievementRows, enableAchievements, eventRows, plugin } from './support/achievements';

/**
 * The recalculation's replay is set-based where the trigger allows it (stores/ledger-replay.ts,
 * sqlReplayFor): the academy's column triggers are replayed by INSERT … SELECT statements, the
 * reaction trigger (its member is `post.author` / `comment.author`, two levels deep), the comment
 * trigger (its owner is `post.author`) and the profiles in JavaScript. A rerun over unchanged data reads no document and evaluates no member,
 * yet finds a document edited since into a state its update trigger matches. engine-backfill
 * checks that replayed facts equal live ones field by field.
 */
const app = setupTestApp();

// The academy's lesson, module and course triggers name a course `scope` (points count on its
// board), which the replay reads through the document, in JavaScript.
const SQL_TRIGGERS = {
  'api::lesson-completion.lesson-completion create lesson.completed': 'js',
  'api::module-completion.module-completion create module.completed': 'js',
  'api::enrollment.enrollment update course.completed': 'js',
  'api::post.post publish post.published': 'sql',
  'api::comment.comment create comment.created': 'js',
  'api::comment.comment update comment.helpful': 'sql',
  'api::reaction.reaction create reaction.received': 'js',
};

const tableOf = (uid: string) => app.strapi.db.metadata.get(uid as any).tableName;
const count = async (uid: string, where: (q: any) => void = () => {}) => {
  const q = app.strapi.db.connection(tableOf(uid));
  where(q);
  const [{ n }] = await q.count({ n: '*' });
  return Number(n);
};
const backfill = () => plugin(app).service('recalculation');

/** Runs the recalculation and returns its final state and the SQL statements it sent. */
const traced = async (opts: Record<string, unknown> = {}) => {
  const statements: string[] = [];
  const listener = (q: { sql: string }) => statements.push(q.sql);
  app.strapi.db.connection.on('query', listener);
  try {
    const state = await backfill().run(opts);
    return { state, statements };
  } finally {
    app.strapi.db.connection.removeListener('query', listener);
  }
};

let course: CourseFixture;
let ann: Member;
let ben: Member;
let annEnrollment: string;
let annSecondComment: string;

describe('set-based replay', () => {
  beforeAll(async () => {
    // Achievements are off (the default): the history happens with nothing recorded.
    course = await createCourse(app, { modules: 1, lessons: 2 });
    ann = await registerMember(app);
    ben = await registerMember(app);
    ok(await academy(app).completeLesson(ann, course.modules[0].lessons[0]));
    for (const lesson of course.modules[0].lessons)
      ok(await academy(app).completeLesson(ben, lesson));
    const post = ok(await academy(app).createPost(ben, 'Old news', 'x')).body.data.documentId;
    const comment = ok(await academy(app).comment(ann, post, 'First')).body.data.documentId;
    annSecondComment = ok(await academy(app).comment(ann, post, 'Second')).body.data.documentId;
    ok(await academy(app).markHelpful(ben, comment));
    ok(await academy(app).react(ann, { post }));
    ok(await academy(app).react(ben, { comment }));
    expect(await eventRows(app)).toHaveLength(0);
    const [enrollment] = await app.strapi
      .documents('api::enrollment.enrollment' as any)
      .findMany({ filters: { user: { id: ann.user.id } } });
    expect(enrollment.status).toBe('active');
    annEnrollment = enrollment.documentId;
    // It all happened an hour ago (a rerun reads documents edited since a minute before the
    // last run started again: other processes' clocks may be a little off).
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const uid of [
      'api::enrollment.enrollment',
      'api::comment.comment',
      'plugin::users-permissions.user',
    ])
      await app.strapi.db.connection(tableOf(uid)).update({ updated_at: anHourAgo });
    await enableAchievements(app);
  });

  it("replays the academy's column triggers with INSERT … SELECT and the rest in JavaScript", async () => {
    const { state, statements } = await traced();
    expect(state).toMatchObject({ status: 'done', error: null });
    expect(state.replayed.paths).toEqual(SQL_TRIGGERS);

    // Every document of a set-based trigger went through SQL, and only the scoped triggers
    // (lessons, modules, courses), the reactions, the comments' creation and the members'
    // profiles through JavaScript: a silent fallback changes these counts.
    const scoped =
      (await count('api::lesson-completion.lesson-completion')) +
      (await count('api::module-completion.module-completion')) +
      (await count('api::enrollment.enrollment'));
    const documents =
      (await count('api::post.post', (q) => q.whereNotNull('published_at'))) +
      (await count('api::comment.comment'));
    expect(state.replayed.sql).toBe(documents);
    expect(state.replayed.js).toBe(
      scoped +
        (await count('api::reaction.reaction')) +
        (await count('api::comment.comment')) +
        (await count('plugin::users-permissions.user'))
    );
    const inserts = statements.filter((sql) =>
      /^insert (ignore )?into [`"]achievements_events[`"] \(.*\) select /i.test(sql)
    );
    expect(inserts.length).toBeGreaterThanOrEqual(2);

    // What the statements wrote: one fact per matching document, shaped like every ledger row.
    const rows = await eventRows(app, { source: 'backfill' });
    const types = rows.map((r: any) => r.type).sort();
    expect(types).toEqual(
      [
        'comment.created',
        'comment.created',
        'comment.helpful',
        'lesson.completed',
        'lesson.completed',
        'lesson.completed',
        'module.completed',
        'course.completed',
        'post.published',
        'reaction.received',
        'reaction.received',
        'profile.updated',
        'profile.updated',
      ].sort()
    );
    for (const r of rows) {
      expect(r.documentId).toMatch(/^[a-z][a-z0-9]{23}$/);
      expect(r).toMatchObject({ attempts: 0, claimedAt: null, claimedBy: null });
      expect(r.processedAt).not.toBeNull();
      expect(r.createdAt).not.toBeNull();
    }
    expect(new Set(rows.map((r: any) => r.documentId)).size).toBe(rows.length);
    expect(state.added.events).toBe(rows.length);
    expect(state.evaluated).toBe(2);
  });

  it('a rerun over unchanged data reads no document and evaluates no member', async () => {
    const { state } = await traced();
    expect(state).toMatchObject({
      status: 'done',
      added: { events: 0, achievements: 0 },
      replayed: { sql: 0, js: 0 },
      evaluated: 0,
    });
    expect(state.processed).toBe(state.total);
  });

  it('a rerun finds older documents edited since into a state their update trigger matches', async () => {
    // Edited while achievements are off: no live trigger records them.
    await enableAchievements(app, false);
    await (app.strapi.documents('api::enrollment.enrollment' as any) as any).update({
      documentId: annEnrollment,
      data: { status: 'completed', completedAt: new Date('2026-03-01T10:00:00Z') },
    });
    ok(await academy(app).markHelpful(ben, annSecondComment));
    await enableAchievements(app);
    const before = await eventRows(app);

    const { state } = await traced();
    expect(state).toMatchObject({ status: 'done', replayed: { sql: 1, js: 1 }, evaluated: 1 });
    expect(state.added.events).toBe(2);
    const added = (await eventRows(app)).filter(
      (r: any) => !before.some((b: any) => b.id === r.id)
    );
    expect(added.map((r: any) => [r.type, r.userId, r.key]).sort()).toEqual(
      [
        [
          'comment.helpful',
          ann.user.id,
          `comment.helpful:api::comment.comment:${annSecondComment}`,
        ],
        [
          'course.completed',
          ann.user.id,
          `course.completed:api::enrollment.enrollment:${annEnrollment}`,
        ],
      ].sort()
    );
    const completed = added.find((r: any) => r.type === 'course.completed');
    expect(new Date(completed.occurredAt).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(completed.subject).toBe(course.documentId);

    const again = (await traced()).state;
    expect(again).toMatchObject({ added: { events: 0, achievements: 0 }, evaluated: 0 });
  });

  it('after the derived tables were wiped, a rerun evaluates every member again', async () => {
    const held = (rows: any[]) =>
      rows
        .map((r) => [r.userId, r.badgeId, r.sequence, new Date(r.earnedAt).getTime()])
        .sort((a, b) => (String(a) < String(b) ? -1 : 1));
    const before = held(await achievementRows(app));
    expect(before.length).toBeGreaterThan(0);
    for (const uid of [
      'plugin::achievements.achievement',
      'plugin::achievements.progress',
      'plugin::achievements.streak',
    ])
      await app.strapi.db.connection(tableOf(uid)).del();

    const { state } = await traced();
    expect(state).toMatchObject({ status: 'done', added: { events: 0 } });
    expect(state.evaluated).toBe(2);
    expect(held(await achievementRows(app))).toEqual(before);
  });

  it('SQLite: a datetime a raw write stored as ISO text replays as the same instant', async () => {
    if (app.strapi.db.dialect.client !== 'sqlite') return; // typed columns elsewhere
    const completions = 'api::lesson-completion.lesson-completion';
    const [row] = await app.strapi.db.connection(tableOf(completions)).select('*').limit(1);
    await app.strapi.db
      .connection(tableOf(completions))
      .where('id', row.id)
      .update({ completed_at: '2026-02-01T08:30:00.250Z' });
    const key = `lesson.completed:${completions}:${row.document_id}`;
    await app.strapi.db.query('plugin::achievements.event').deleteMany({ where: { key } });
    const { state } = await traced({ full: true });
    expect(state).toMatchObject({ status: 'done', added: { events: 1 } });
    const [replayed] = await eventRows(app, { key });
    expect(new Date(replayed.occurredAt).toISOString()).toBe('2026-02-01T08:30:00.250Z');
  });

  it('`full: true` reads every document again and adds nothing', async () => {
    const { state } = await traced({ full: true });
    expect(state).toMatchObject({ status: 'done', added: { events: 0, achievements: 0 } });
    expect(state.replayed.sql).toBeGreaterThan(0);
    expect(state.evaluated).toBe(2);
  });
});

/**
 * ignoreSelf on a trigger's `owner` in the set-based replay (the `x.o <> x.u` of sqlReplayFor):
 * a fact that credits the member who owns its subject is talking to oneself and is written by
 * neither the live trigger nor the replay. The academy's comment trigger names its owner two
 * levels deep (`post.author`) and is replayed in JavaScript (engine-backfill covers it), so two
 * triggers with a one-level owner are added for this test: a post credits its author, who owns
 * it. With ignoreSelf (the default) the replay writes nothing; the control, ignoreSelf: false,
 * shows the same statement path reads both posts. Counting a member's own comments on their
 * own post, in SQL, would fail here.
 */
describe('set-based replay: an owner crediting themself', () => {
  it('writes no fact for a member who owns the subject, and one per document without ignoreSelf', async () => {
    const author = await registerMember(app);
    const posts = [
      ok(await academy(app).createPost(author, 'My own', 'x')).body.data.documentId,
      ok(await academy(app).createPost(author, 'My own again', 'x')).body.data.documentId,
    ];
    await plugin(app).service('evaluator').drain();
    const key = 'plugin::achievements';
    const config = app.strapi.config.get(key) as any;
    const self = {
      uid: 'api::post.post',
      action: 'publish',
      event: 'post.owned',
      user: 'author',
      owner: 'author',
    };
    const control = { ...self, event: 'post.owned-counted', ignoreSelf: false };
    app.strapi.config.set(key, { ...config, triggers: [...config.triggers, self, control] });
    try {
      const { state, statements } = await traced();
      expect(state).toMatchObject({ status: 'done', error: null });
      expect(state.replayed.paths).toMatchObject({
        'api::post.post publish post.owned': 'sql',
        'api::post.post publish post.owned-counted': 'sql',
      });
      expect(statements.some((sql) => sql.includes('x.o <> x.u'))).toBe(true);
      const counted = await eventRows(app, { type: 'post.owned-counted', userId: author.user.id });
      expect(counted.map((r: any) => r.subject).sort()).toEqual([...posts].sort());
      expect(await eventRows(app, { type: 'post.owned' })).toEqual([]);
    } finally {
      app.strapi.config.set(key, config);
    }
  });
});
