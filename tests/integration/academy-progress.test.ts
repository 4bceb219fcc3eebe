import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { publishedModule } from './support/academy';

/**
 * The academy's own learning rules, driven through `POST /api/lessons/:documentId/complete`:
 * idempotent completions (also under concurrency, which only PostgreSQL and MariaDB can really
 * prove), one module completion per member and module, one enrollment completed once.
 */
const app = setupTestApp();

const COURSE = 'api::course.course';
const LESSON = 'api::lesson.lesson';
const LESSON_COMPLETION = 'api::lesson-completion.lesson-completion';
const MODULE_COMPLETION = 'api::module-completion.module-completion';
const ENROLLMENT = 'api::enrollment.enrollment';

const auth = (member: Member) => ({ Authorization: `Bearer ${member.jwt}` });

interface Fixture {
  course: string;
  modules: { documentId: string; lessons: string[] }[];
  draftLesson: string;
}

/** A published course of 2 modules × 3 lessons, plus a draft lesson in module 1 that never counts. */
const createCourse = async (slug: string): Promise<Fixture> => {
  const course = await app.strapi
    .documents(COURSE)
    .create({ data: { title: `Course ${slug}`, slug }, status: 'published' });
  const modules: Fixture['modules'] = [];
  for (let m = 1; m <= 2; m += 1) {
    const module = await publishedModule(app, {
      title: `Module ${m}`,
      position: m,
      course: course.documentId,
    });
    const lessons: string[] = [];
    for (let l = 1; l <= 3; l += 1) {
      const lesson = await app.strapi.documents(LESSON).create({
        data: { title: `Lesson ${m}.${l}`, position: l, body: '…', module: module.documentId },
        status: 'published',
      });
      lessons.push(lesson.documentId);
    }
    modules.push({ documentId: module.documentId, lessons });
  }
  const draft = await app.strapi.documents(LESSON).create({
    data: { title: 'Coming soon', position: 4, module: modules[0].documentId },
  });
  return { course: course.documentId, modules, draftLesson: draft.documentId };
};

const complete = (member: Member, lesson: string) =>
  app.request().post(`/api/lessons/${lesson}/complete`).set(auth(member));

const lessonCompletions = (member: Member, lesson: string) =>
  app.strapi.db.query(LESSON_COMPLETION).findMany({
    where: { user: { id: member.user.id }, lesson: { documentId: lesson } },
  });
const moduleCompletions = (member: Member, module: string) =>
  app.strapi.db.query(MODULE_COMPLETION).findMany({
    where: { user: { id: member.user.id }, module: { documentId: module } },
  });
const enrollments = (member: Member, course: string) =>
  app.strapi.db.query(ENROLLMENT).findMany({
    where: { user: { id: member.user.id }, course: { documentId: course } },
  });

/**
 * The message a write failed with, or null. Not `rejects.toThrow()`: the database driver's error
 * class can come from another test file's module realm, which jest then does not see as an Error.
 */
const failureOf = async (write: Promise<unknown>): Promise<string | null> => {
  try {
    await write;
    return null;
  } catch (error) {
    return String((error as { message?: unknown }).message ?? error);
  }
};

describe('POST /api/lessons/:documentId/complete', () => {
  let fixture: Fixture;

  beforeAll(async () => {
    fixture = await createCourse('css-layout');
  });

  it('records one completion when a lesson is completed twice, and enrols the member once', async () => {
    const member = await registerMember(app);
    const lesson = fixture.modules[0].lessons[0];

    const first = await complete(member, lesson);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      completion: { documentId: expect.any(String), lesson, completedAt: expect.any(String) },
      moduleCompleted: false,
      courseCompleted: false,
    });

    const second = await complete(member, lesson);
    expect(second.status).toBe(200);
    expect(second.body.completion).toEqual(first.body.completion);

    const rows = await lessonCompletions(member, lesson);
    expect(rows).toHaveLength(1);
    expect(rows[0].completionKey).toBe(`${member.user.id}:${lesson}`);
    const enrolled = await enrollments(member, fixture.course);
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0]).toMatchObject({ status: 'active', completedAt: null });
  });

  it('20 concurrent completions of the same lesson by one member record exactly one', async () => {
    const member = await registerMember(app);
    const lesson = fixture.modules[1].lessons[2];

    const responses = await Promise.all(Array.from({ length: 20 }, () => complete(member, lesson)));
    expect(responses.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
    expect(new Set(responses.map((r) => r.body.completion.documentId)).size).toBe(1);
    expect(await lessonCompletions(member, lesson)).toHaveLength(1);
    expect(await enrollments(member, fixture.course)).toHaveLength(1);
  });

  it('50 concurrent completions still record exactly one', async () => {
    const member = await registerMember(app);
    const lesson = fixture.modules[0].lessons[1];
    const responses = await Promise.all(Array.from({ length: 50 }, () => complete(member, lesson)));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(49);
    expect(await lessonCompletions(member, lesson)).toHaveLength(1);
  });

  it('the database itself refuses a second row with the same key', async () => {
    const member = await registerMember(app);
    const lesson = fixture.modules[0].lessons[2];
    expect((await complete(member, lesson)).status).toBe(201);
    const error = await failureOf(
      app.strapi.db
        .query(LESSON_COMPLETION)
        .create({ data: { completionKey: `${member.user.id}:${lesson}`, completedAt: new Date() } })
    );
    expect(error).toMatch(/unique|duplicate/i);
    expect(await lessonCompletions(member, lesson)).toHaveLength(1);
  });

  it('an unknown or unpublished lesson is a 404 and records nothing', async () => {
    const member = await registerMember(app);
    const unknown = await complete(member, 'doesnotexist000000000000');
    expect(unknown.status).toBe(404);
    const draft = await complete(member, fixture.draftLesson);
    expect(draft.status).toBe(404);
    expect(
      await app.strapi.db
        .query(LESSON_COMPLETION)
        .count({ where: { user: { id: member.user.id } } })
    ).toBe(0);
    expect(await enrollments(member, fixture.course)).toHaveLength(0);
  });

  it('is closed to anonymous callers', async () => {
    const res = await app.request().post(`/api/lessons/${fixture.modules[0].lessons[0]}/complete`);
    expect(res.status).toBe(403);
  });
});

describe('module and course completion', () => {
  let fixture: Fixture;

  beforeAll(async () => {
    fixture = await createCourse('js-essentials');
  });

  it('completing every published lesson of a module records exactly one module completion', async () => {
    const member = await registerMember(app);
    const [module] = fixture.modules;

    const firstTwo = [];
    for (const lesson of module.lessons.slice(0, 2)) firstTwo.push(await complete(member, lesson));
    expect(firstTwo.map((r) => r.body.moduleCompleted)).toEqual([false, false]);
    expect(await moduleCompletions(member, module.documentId)).toHaveLength(0);

    const last = await complete(member, module.lessons[2]);
    expect(last.status).toBe(201);
    // The draft lesson of this module does not count.
    expect(last.body).toMatchObject({ moduleCompleted: true, courseCompleted: false });

    // Completing the lessons again changes nothing.
    for (const lesson of module.lessons) expect((await complete(member, lesson)).status).toBe(200);
    const rows = await moduleCompletions(member, module.documentId);
    expect(rows).toHaveLength(1);
    expect(rows[0].completionKey).toBe(`${member.user.id}:${module.documentId}`);
    expect(rows[0].completedAt).not.toBeNull();
    expect((await enrollments(member, fixture.course))[0].status).toBe('active');
  });

  it('completing every module marks the enrollment completed with completedAt, once', async () => {
    const member = await registerMember(app);
    for (const module of fixture.modules.slice(0, 1)) {
      for (const lesson of module.lessons) await complete(member, lesson);
    }
    const [second] = fixture.modules.slice(1);
    await complete(member, second.lessons[0]);
    await complete(member, second.lessons[1]);
    expect((await enrollments(member, fixture.course))[0]).toMatchObject({
      status: 'active',
      completedAt: null,
    });

    const last = await complete(member, second.lessons[2]);
    expect(last.body).toMatchObject({ moduleCompleted: true, courseCompleted: true });
    const [enrollment] = await enrollments(member, fixture.course);
    expect(enrollment.status).toBe('completed');
    expect(enrollment.completedAt).not.toBeNull();

    // Again: still one enrollment, and its completedAt does not move.
    const again = await complete(member, second.lessons[2]);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ moduleCompleted: true, courseCompleted: true });
    const after = await enrollments(member, fixture.course);
    expect(after).toHaveLength(1);
    expect(new Date(after[0].completedAt).getTime()).toBe(
      new Date(enrollment.completedAt).getTime()
    );
  });

  it('a member completing the whole course at once, concurrently, gets one of everything', async () => {
    const member = await registerMember(app);
    const lessons = fixture.modules.flatMap((m) => m.lessons);
    // Each lesson twice, all at the same time: the last-lesson checks race each other.
    const responses = await Promise.all([...lessons, ...lessons].map((l) => complete(member, l)));
    expect(responses.every((r) => r.status === 200 || r.status === 201)).toBe(true);
    expect(responses.filter((r) => r.status === 201)).toHaveLength(lessons.length);

    for (const lesson of lessons) expect(await lessonCompletions(member, lesson)).toHaveLength(1);
    for (const module of fixture.modules) {
      expect(await moduleCompletions(member, module.documentId)).toHaveLength(1);
    }
    const enrolled = await enrollments(member, fixture.course);
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0].status).toBe('completed');
    expect(enrolled[0].completedAt).not.toBeNull();
  });

  it("one member's progress is not another's", async () => {
    const [a, b] = await Promise.all([registerMember(app), registerMember(app)]);
    for (const lesson of fixture.modules[0].lessons) await complete(a, lesson);
    const res = await complete(b, fixture.modules[0].lessons[0]);
    expect(res.body.moduleCompleted).toBe(false);
    expect(await moduleCompletions(b, fixture.modules[0].documentId)).toHaveLength(0);
    expect(await moduleCompletions(a, fixture.modules[0].documentId)).toHaveLength(1);
  });
});

describe('reading the catalogue', () => {
  it('anyone reads published courses, modules and lessons; drafts stay hidden', async () => {
    const fixture = await createCourse('public-read');
    const courses = await app
      .request()
      .get('/api/courses?filters[slug][$eq]=public-read&populate=modules');
    expect(courses.status).toBe(200);
    expect(courses.body.data).toHaveLength(1);
    expect(courses.body.data[0].modules).toHaveLength(2);

    const module = await app
      .request()
      .get(`/api/modules/${fixture.modules[0].documentId}?populate=lessons`);
    expect(module.status).toBe(200);
    expect(module.body.data.lessons).toHaveLength(3);

    const lesson = await app.request().get(`/api/lessons/${fixture.modules[0].lessons[0]}`);
    expect(lesson.status).toBe(200);
    expect(lesson.body.data.title).toBe('Lesson 1.1');
    expect((await app.request().get(`/api/lessons/${fixture.draftLesson}`)).status).toBe(404);

    // Completions, enrollments and reactions are not readable by end-user roles.
    expect((await app.request().get('/api/lesson-completions')).status).toBe(403);
    expect((await app.request().get('/api/enrollments')).status).toBe(403);
  });
});

describe('on every start', () => {
  it('the unique key indexes are in place, and core write grants are revoked', async () => {
    // A grant that should never exist, as an admin might click it in Users & Permissions.
    const authenticated = await app.strapi.db
      .query('plugin::users-permissions.role')
      .findOne({ where: { type: 'authenticated' } });
    await app.strapi.db.query('plugin::users-permissions.permission').create({
      data: { action: 'api::lesson-completion.lesson-completion.create', role: authenticated.id },
    });

    await app.restart();

    const stale = await app.strapi.db.query('plugin::users-permissions.permission').findMany({
      where: { action: 'api::lesson-completion.lesson-completion.create' },
    });
    expect(stale).toEqual([]);

    const member = await registerMember(app);
    const fixture = await createCourse('after-restart');
    const lesson = fixture.modules[0].lessons[0];
    const responses = await Promise.all(Array.from({ length: 10 }, () => complete(member, lesson)));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const error = await failureOf(
      app.strapi.db.query(ENROLLMENT).create({
        data: { enrollmentKey: `${member.user.id}:${fixture.course}`, status: 'active' },
      })
    );
    expect(error).toMatch(/unique|duplicate/i);
    expect(await enrollments(member, fixture.course)).toHaveLength(1);
  });
});
