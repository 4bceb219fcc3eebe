import { apiToken, registerMember, setupTestApp, type Member } from './helpers/strapi';
import { createCourse } from './support/academy';
import { drain, earnedSlugs, enableAchievements, eventRows, plugin } from './support/achievements';

/**
 * Finding 1 of issue 17: an event whose occurredAt was not a valid instant (8640000000000001)
 * answered 202, was stored with occurred_at NULL, marked processed and never evaluated: a fact
 * accepted, then lost. Dates long past (0001-01-01, 1970-01-01) were accepted too. Now every
 * event has a valid date inside a documented window (oldestEvent, default 1990-01-01, to a few
 * minutes from now), anything else is a 400 naming occurredAt, and the column is NOT NULL.
 */
const app = setupTestApp();
const EVENT = 'plugin::achievements.event';

describe('occurredAt', () => {
  let token: string;
  let member: Member;
  const post = (body: object) =>
    app
      .request()
      .post('/api/achievements/events')
      .set('Authorization', `Bearer ${token}`)
      .send(body);

  beforeAll(async () => {
    await enableAchievements(app);
    token = await apiToken(app, ['plugin::achievements.events.ingest']);
    member = await registerMember(app);
  });

  it.each([
    ['past the Date range (epoch ms)', 8640000000000001],
    ['the last instant a Date holds (far future)', 8640000000000000],
    ['a huge number', 1e300],
    ['epoch 0 (1970-01-01)', 0],
    ['negative epoch ms', -1],
    ['year 1', '0001-01-01T00:00:00Z'],
    ['1970-01-01', '1970-01-01T00:00:00Z'],
    ['one millisecond before 1990', '1989-12-31T23:59:59.999Z'],
    ['a day that does not exist', '2021-02-30T00:00:00Z'],
    ['ten minutes from now', new Date(Date.now() + 10 * 60_000).toISOString()],
    ['not a date', 'yesterday'],
    ['a date without a time', '2024-01-01'],
  ])('refuses %s with 400 naming occurredAt, recording nothing', async (_label, occurredAt) => {
    const key = `bad-date:${String(occurredAt)}`;
    const res = await post({ type: 'lesson.completed', userId: member.user.id, key, occurredAt });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(res.body.error.message).toMatch(/^occurredAt: /);
    expect(res.body.error.details.errors.map((e: { path: string }) => e.path)).toEqual([
      'occurredAt',
    ]);
    expect(await eventRows(app, { key })).toHaveLength(0);
  });

  it('accepts the first instant of the window and dates the fact with it; the member earns from it', async () => {
    const learner = await registerMember(app);
    const res = await post({
      type: 'lesson.completed',
      userId: learner.user.id,
      key: 'window-start',
      subject: 'lesson-1990',
      occurredAt: '1990-01-01T00:00:00Z',
    });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: true, duplicate: false });
    const [row] = await eventRows(app, { key: 'window-start' });
    expect(new Date(row.occurredAt).toISOString()).toBe('1990-01-01T00:00:00.000Z');
    await drain(app);
    expect(await earnedSlugs(app, learner.user.id)).toContain('first-lesson');
  });

  it('the events service refuses the same dates with a ValidationError naming occurredAt', async () => {
    const events = plugin(app).service('events');
    for (const occurredAt of [new Date(NaN), new Date('1970-01-01T00:00:00Z'), 8640000000000001]) {
      await expect(
        events.record({
          type: 'lesson.completed',
          userId: member.user.id,
          key: `service:${String(occurredAt)}`,
          occurredAt,
        })
      ).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringMatching(/^occurredAt: /),
      });
    }
    expect(await eventRows(app, { key: { $startsWith: 'service:' } })).toHaveLength(0);
  });

  it("the plugin config's oldestEvent moves the window for older imports", async () => {
    const key = 'plugin::achievements.oldestEvent';
    const before = app.strapi.config.get(key);
    expect(before).toBe('1990-01-01');
    app.strapi.config.set(key, '1970-01-01');
    try {
      const ok = await post({
        type: 'lesson.completed',
        userId: member.user.id,
        key: 'import-1970',
        occurredAt: '1970-01-01T00:00:00Z',
      });
      expect(ok.status).toBe(202);
      const older = await post({
        type: 'lesson.completed',
        userId: member.user.id,
        key: 'import-1969',
        occurredAt: '1969-12-31T23:59:59Z',
      });
      expect(older.status).toBe(400);
      expect(older.body.error.message).toContain('occurredAt: must not be before 1970-01-01');
    } finally {
      app.strapi.config.set(key, before);
    }
  });

  describe('a host date outside the window: the fact is kept, dated by the write itself', () => {
    const COMPLETIONS = 'api::lesson-completion.lesson-completion';
    const complete = async (learner: Member, lesson: string, completedAt: string) =>
      (app.strapi.documents(COMPLETIONS as any) as any).create({
        data: { user: learner.user.id, lesson, completedAt },
      });
    const factOf = async (completion: { documentId: string }) =>
      eventRows(app, { key: `lesson.completed:${COMPLETIONS}:${completion.documentId}` });

    it.each([
      ['before oldestEvent', '1970-01-01T00:00:00.000Z'],
      ['in the future', '2100-01-01T00:00:00.000Z'],
    ])('live trigger, completedAt %s', async (_, completedAt) => {
      const course = await createCourse(app, { modules: 1, lessons: 1 });
      const learner = await registerMember(app);
      const completion = await complete(learner, course.modules[0].lessons[0], completedAt);
      const rows = await factOf(completion);
      expect(rows).toHaveLength(1);
      expect(new Date(rows[0].occurredAt).getTime()).toBe(new Date(completion.createdAt).getTime());
      await drain(app);
      expect(await earnedSlugs(app, learner.user.id)).toContain('first-lesson');
    });

    it('recalculation replay, completedAt before oldestEvent', async () => {
      const course = await createCourse(app, { modules: 1, lessons: 1 });
      const learner = await registerMember(app);
      await enableAchievements(app, false);
      const completion = await complete(
        learner,
        course.modules[0].lessons[0],
        '1970-01-01T00:00:00.000Z'
      );
      await enableAchievements(app, true);
      expect(await factOf(completion)).toHaveLength(0);
      const run = await plugin(app).service('recalculation').run();
      expect(run).toMatchObject({ status: 'done', error: null });
      const rows = await factOf(completion);
      expect(rows).toHaveLength(1);
      expect(new Date(rows[0].occurredAt).getTime()).toBe(new Date(completion.createdAt).getTime());
      expect(await earnedSlugs(app, learner.user.id)).toContain('first-lesson');
    });
  });

  it('the events service refuses U+0000 in any string it is given, naming the field', async () => {
    const events = plugin(app).service('events');
    const fact = { type: 'lesson.completed', userId: member.user.id, key: 'nul-free' };
    for (const [bad, field] of [
      [{ key: 'a\u0000b' }, 'key'],
      [{ subject: 'x\u0000' }, 'subject'],
      [{ data: { note: ['ok', 'n\u0000'] } }, 'data.note.1'],
    ] as const) {
      await expect(events.record({ ...fact, ...bad })).rejects.toMatchObject({
        name: 'ValidationError',
        message: `${field}: must not contain the NUL character (U+0000)`,
      });
    }
    expect(await eventRows(app, { key: 'nul-free' })).toEqual([]);
  });

  it('the database refuses a ledger row without occurredAt (NOT NULL)', async () => {
    const meta = app.strapi.db.metadata.get(EVENT as any) as any;
    const col = (name: string) => meta.attributes[name].columnName ?? name;
    const knex = app.strapi.db.connection;
    const info = (await knex(meta.tableName).columnInfo(col('occurredAt'))) as any;
    expect(info.nullable).toBe(false);
    let refusal = 'none';
    try {
      await knex(meta.tableName).insert({
        [col('documentId')]: 'nulldatexxxxxxxxxxxxxxxx',
        [col('key')]: 'raw:null-date',
        [col('type')]: 'lesson.completed',
        [col('userId')]: member.user.id,
        [col('occurredAt')]: null,
      });
    } catch (error) {
      refusal = String((error as Error).message);
    }
    expect(refusal).toMatch(/null/i);
    expect(await eventRows(app, { key: 'raw:null-date' })).toHaveLength(0);
  });

  it('on upgrade, rows stored without a date get the instant they were recorded and are evaluated', async () => {
    // A database from before the fix: the column nullable, Strapi's stored schema saying so (as
    // the previous version left it), and a lost fact in it (processed, never evaluated, NULL).
    const learner = await registerMember(app);
    const meta = app.strapi.db.metadata.get(EVENT as any) as any;
    const col = (name: string) => meta.attributes[name].columnName ?? name;
    const knex = app.strapi.db.connection;
    await knex.schema.alterTable(meta.tableName, (t) => {
      t.dateTime(col('occurredAt'), { precision: 6 }).nullable().alter();
    });
    const stored = await knex('strapi_database_schema').first();
    const schema = typeof stored.schema === 'string' ? JSON.parse(stored.schema) : stored.schema;
    const column = schema.tables
      .find((t: { name: string }) => t.name === meta.tableName)
      .columns.find((c: { name: string }) => c.name === col('occurredAt'));
    expect(column.notNullable).toBe(true);
    column.notNullable = false;
    await knex('strapi_database_schema')
      .where({ id: stored.id })
      .update({ schema: JSON.stringify(schema), hash: 'the previous version' });
    const recordedAt = new Date(Date.now() - 60_000);
    await knex(meta.tableName).insert({
      [col('documentId')]: 'lostfactxxxxxxxxxxxxxxxx',
      [col('key')]: 'lost-fact',
      [col('type')]: 'lesson.completed',
      [col('userId')]: learner.user.id,
      [col('subject')]: 'lesson-lost',
      [col('occurredAt')]: null,
      [col('processedAt')]: new Date(),
      [col('createdAt')]: recordedAt,
      [col('updatedAt')]: recordedAt,
      [col('publishedAt')]: recordedAt,
      [col('source')]: 'api',
      [col('attempts')]: 0,
    });
    expect(await earnedSlugs(app, learner.user.id)).not.toContain('first-lesson');

    await app.restart();

    const info = (await app.strapi.db
      .connection(meta.tableName)
      .columnInfo(col('occurredAt'))) as any;
    expect(info.nullable).toBe(false);
    const [row] = await eventRows(app, { key: 'lost-fact' });
    expect(Math.abs(new Date(row.occurredAt).getTime() - recordedAt.getTime())).toBeLessThan(1000);
    await drain(app);
    expect(await earnedSlugs(app, learner.user.id)).toContain('first-lesson');
  });
});
