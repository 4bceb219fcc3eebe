import type { Member, TestApp } from '../helpers/strapi';

/** Drives the example academy like its frontend would: real HTTP, a member's JWT. */
export interface CourseFixture {
  documentId: string;
  modules: Array<{ documentId: string; lessons: string[] }>;
}

/**
 * A published module of a published course, through the academy's own catalogue service: not
 * `documents().create({ status: 'published' })`, whose publish issues concurrent queries on one
 * PostgreSQL connection for a type with two relations (see that service).
 */
export const publishedModule = (
  app: TestApp,
  data: { title: string; position: number; course: string }
): Promise<{ documentId: string }> =>
  (app.strapi.service('api::module.catalogue') as any).createPublished(data);

/** A published course with `modules` × `lessons` published lessons. */
export const createCourse = async (
  app: TestApp,
  { modules = 2, lessons = 2, title = `Course ${Math.random().toString(36).slice(2, 8)}` } = {}
): Promise<CourseFixture> => {
  const docs = (uid: string) => app.strapi.documents(uid as any) as any;
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/(^-|-$)/g, '');
  const course = await docs('api::course.course').create({
    data: { title, slug },
    status: 'published',
  });
  const fixture: CourseFixture = { documentId: course.documentId, modules: [] };
  for (let m = 0; m < modules; m += 1) {
    const mod = await publishedModule(app, {
      title: `${title} · module ${m + 1}`,
      position: m + 1,
      course: course.documentId,
    });
    const lessonIds: string[] = [];
    for (let l = 0; l < lessons; l += 1) {
      const lesson = await docs('api::lesson.lesson').create({
        data: {
          title: `Lesson ${m + 1}.${l + 1}`,
          body: 'Read me.',
          position: l + 1,
          module: mod.documentId,
        },
        status: 'published',
      });
      lessonIds.push(lesson.documentId);
    }
    fixture.modules.push({ documentId: mod.documentId, lessons: lessonIds });
  }
  return fixture;
};

const bearer = (member: Member) => ({ Authorization: `Bearer ${member.jwt}` });

export const academy = (app: TestApp) => ({
  completeLesson: (member: Member, lesson: string) =>
    app.request().post(`/api/lessons/${lesson}/complete`).set(bearer(member)).send({}),
  updateProfile: (member: Member, body: Record<string, unknown>) =>
    app.request().put('/api/profile').set(bearer(member)).send(body),
  /** `POST /api/profile/avatar`: multipart, the image in the field `files`; attaches it. */
  uploadAvatar: (member: Member, content: Buffer, filename = 'me.png', contentType = 'image/png') =>
    app
      .request()
      .post('/api/profile/avatar')
      .set(bearer(member))
      .attach('files', content, { filename, contentType }),
  createPost: (member: Member, title = 'A post', body = 'Hello') =>
    app.request().post('/api/posts').set(bearer(member)).send({ title, body }),
  deletePost: (member: Member, post: string) =>
    app.request().delete(`/api/posts/${post}`).set(bearer(member)),
  comment: (member: Member, post: string, body = 'Nice one') =>
    app.request().post('/api/comments').set(bearer(member)).send({ post, body }),
  markHelpful: (member: Member, comment: string, helpful = true) =>
    app.request().patch(`/api/comments/${comment}/helpful`).set(bearer(member)).send({ helpful }),
  react: (member: Member, target: { post?: string; comment?: string }, kind = 'like') =>
    app
      .request()
      .post('/api/reactions')
      .set(bearer(member))
      .send({ ...target, kind }),
  unreact: (member: Member, reaction: string) =>
    app.request().delete(`/api/reactions/${reaction}`).set(bearer(member)),
});

/** Fails loudly with the response body when a member API call did not succeed. */
export const ok = <T extends { status: number; text: string }>(res: T, ...allowed: number[]): T => {
  const expected = allowed.length ? allowed : [200, 201, 204];
  if (!expected.includes(res.status)) throw new Error(`unexpected ${res.status}: ${res.text}`);
  return res;
};
