import fs from 'fs';
import os from 'os';
import path from 'path';
import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy } from './support/academy';
import { drain } from './support/achievements';

/**
 * The example academy's member API: profiles, posts, comments and reactions. The acting member
 * always comes from the JWT; every refusal is checked against the database, not only the status.
 */
const app = setupTestApp();

const USER = 'plugin::users-permissions.user';
const POST = 'api::post.post';
const COMMENT = 'api::comment.comment';
const REACTION = 'api::reaction.reaction';

const auth = (member: Member) => ({ Authorization: `Bearer ${member.jwt}` });

/** The academy's member API as its frontend calls it (see support/academy). */
const api = academy(app);

/** Any request as `member` (their JWT), for bodies and routes the frontend never sends. */
const asMember = (member: Member) => ({
  get: (url: string) => app.request().get(url).set(auth(member)),
  post: (url: string, body: object) => app.request().post(url).set(auth(member)).send(body),
  put: (url: string, body: object) => app.request().put(url).set(auth(member)).send(body),
  patch: (url: string, body: object) => app.request().patch(url).set(auth(member)).send(body),
});

/** Three new members, the first of whom publishes a post: the cast of a discussion. */
const discussion = async (title: string, body: string) => {
  const members = await Promise.all(Array.from({ length: 3 }, () => registerMember(app)));
  const post = await api.createPost(members[0], title, body);
  return { members, postId: post.body.data.documentId as string };
};

/** The user's database row, with what a profile write could touch. */
const userRow = (id: number) =>
  app.strapi.db.query(USER).findOne({
    where: { id },
    populate: { role: true, avatar: true, socialLinks: true },
  });

/**
 * Uploads a file through the upload plugin's service (as an admin would) and returns its id; the
 * harness points the app's public folder at a temporary directory.
 */
const uploadFile = async (name: string, mime: string, content: Buffer): Promise<number> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'academy-upload-'));
  const filepath = path.join(dir, name);
  fs.writeFileSync(filepath, content);
  try {
    const [file] = await app.strapi
      .plugin('upload')
      .service('upload')
      .upload({
        data: { fileInfo: { name } },
        files: { filepath, originalFilename: name, mimetype: mime, size: content.length },
      });
    return file.id;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

/** `POST /api/profile/avatar` as a member's browser sends it: multipart, the image in `files`. */
const uploadAvatar = (member: Member, content: Buffer, filename: string, contentType: string) =>
  api.uploadAvatar(member, content, filename, contentType);

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64'
);

const expect400Naming = (res: { status: number; body: any }, field: string) => {
  expect(res.status).toBe(400);
  expect(res.body.error.name).toBe('ValidationError');
  expect(res.body.error.message).toContain(field);
  expect(res.body.error.details.errors.map((e: { path: string }) => e.path)).toContain(field);
};

/** POSTs `body` as `member`: a 400 naming `field`, and not one row more of `uid`. */
const expectNothingCreated = async (
  uid: typeof POST | typeof COMMENT | typeof REACTION,
  member: Member,
  url: string,
  body: object,
  field: string
) => {
  const before = await app.strapi.db.query(uid).count();
  expect400Naming(await asMember(member).post(url, body), field);
  expect(await app.strapi.db.query(uid).count()).toBe(before);
};

describe('PUT /api/profile', () => {
  let alice: Member;
  let bob: Member;

  beforeAll(async () => {
    alice = await registerMember(app);
    bob = await registerMember(app);
  });

  it('is refused without a JWT', async () => {
    const res = await app.request().put('/api/profile').send({ bio: 'anonymous' });
    expect(res.status).toBe(403);
  });

  it("updates the caller's bio, timezone, social links and avatar, and returns no private field", async () => {
    const uploaded = await uploadAvatar(alice, PNG_1X1, 'alice.png', 'image/png');
    expect(uploaded.status).toBe(200);
    const avatar = uploaded.body.avatar.id as number;
    expect((await userRow(alice.user.id)).avatar.id).toBe(avatar);
    // The whole profile sent back as the frontend read it: the avatar is the caller's own.
    const res = await api.updateProfile(alice, {
      bio: 'I teach CSS to my cat.',
      timezone: 'america/sao_paulo',
      socialLinks: [
        { platform: 'github', url: 'https://github.com/alice' },
        { platform: 'mastodon', url: 'https://mastodon.social/@alice' },
      ],
      avatar,
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(
      ['avatar', 'bio', 'documentId', 'id', 'socialLinks', 'timezone', 'username'].sort()
    );
    expect(res.body).toMatchObject({
      id: alice.user.id,
      username: alice.user.username,
      bio: 'I teach CSS to my cat.',
      // Stored under its canonical IANA spelling.
      timezone: 'America/Sao_Paulo',
      socialLinks: [
        { platform: 'github', url: 'https://github.com/alice' },
        { platform: 'mastodon', url: 'https://mastodon.social/@alice' },
      ],
      avatar: { id: avatar, url: expect.stringMatching(/^\/uploads\/.+\.png$/) },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/email|password|Token|@academy\.test/);

    const row = await userRow(alice.user.id);
    expect(row.bio).toBe('I teach CSS to my cat.');
    expect(row.timezone).toBe('America/Sao_Paulo');
    expect(row.avatar.id).toBe(avatar);
    expect(row.socialLinks.map((l: { platform: string }) => l.platform)).toEqual([
      'github',
      'mastodon',
    ]);

    const me = await asMember(alice).get('/api/profile');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body);
  });

  it('a partial update keeps the other fields; null clears one', async () => {
    const res = await api.updateProfile(alice, { bio: null });
    expect(res.status).toBe(200);
    expect(res.body.bio).toBeNull();
    expect(res.body.timezone).toBe('America/Sao_Paulo');
    expect(res.body.socialLinks).toHaveLength(2);
    expect((await userRow(alice.user.id)).bio).toBeNull();
  });

  it.each([
    ['id', (other: Member) => ({ id: other.user.id, bio: 'hijacked' })],
    ['user', (other: Member) => ({ user: other.user.id, bio: 'hijacked' })],
    ['documentId', (other: Member) => ({ documentId: other.user.documentId, bio: 'hijacked' })],
    ['username', (other: Member) => ({ username: other.user.username, bio: 'hijacked' })],
  ])(
    'there is no way to name another member: a body with %s is refused (400) and nobody changes',
    async (field, body) => {
      const bobBefore = await userRow(bob.user.id);
      const aliceBefore = await userRow(alice.user.id);
      const res = await api.updateProfile(alice, body(bob));
      expect400Naming(res, field);
      expect(await userRow(bob.user.id)).toEqual(bobBefore);
      expect(await userRow(alice.user.id)).toEqual(aliceBefore);
    }
  );

  it.each([
    ['role', (admin: { id: number }) => ({ role: admin.id })],
    ['email', () => ({ email: 'alice-new@academy.test' })],
    ['blocked', () => ({ blocked: true })],
    ['confirmed', () => ({ confirmed: false })],
    ['password', () => ({ password: 'N3w-Passw0rd!' })],
    ['provider', () => ({ provider: 'github' })],
    ['points', () => ({ points: 1_000_000 })],
  ])(
    'refuses %s with 400 and writes nothing, not even the valid fields beside it',
    async (field, body) => {
      const publicRole = await app.strapi.db
        .query('plugin::users-permissions.role')
        .findOne({ where: { type: 'public' } });
      const before = await userRow(alice.user.id);
      const res = await api.updateProfile(alice, { bio: 'sneaky', ...body(publicRole) });
      expect400Naming(res, field);
      const after = await userRow(alice.user.id);
      expect(after).toEqual(before);
      expect(after.role.type).toBe('authenticated');
      expect(after.bio).not.toBe('sneaky');
    }
  );

  it.each([
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ timezone: '+02:00' }, 'timezone'],
    [{ timezone: 42 }, 'timezone'],
    [{ bio: 'x'.repeat(1001) }, 'bio'],
    [
      { socialLinks: [{ platform: 'myspace', url: 'https://myspace.com/a' }] },
      'socialLinks.0.platform',
    ],
    [{ socialLinks: [{ platform: 'github', url: 'javascript:alert(1)' }] }, 'socialLinks.0.url'],
    [
      { socialLinks: [{ platform: 'github', url: 'https://github.com/a', owner: 1 }] },
      'socialLinks.0.owner',
    ],
    [{ socialLinks: 'https://github.com/a' }, 'socialLinks'],
    [{ avatar: 'me.png' }, 'avatar'],
    [{ avatar: -3 }, 'avatar'],
  ])('refuses %j with 400 naming %s', async (body, field) => {
    const before = await userRow(alice.user.id);
    const res = await api.updateProfile(alice, body);
    expect400Naming(res, field);
    expect(await userRow(alice.user.id)).toEqual(before);
  });

  it("a member attaches only a picture they uploaded: another member's, badge artwork, an admin's upload and a missing id get the same answer", async () => {
    const mallory = await registerMember(app);
    const bobs = await uploadAvatar(bob, PNG_1X1, 'bob.png', 'image/png');
    expect(bobs.status).toBe(200);
    const secretBadge = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { secret: true, image: { id: { $notNull: true } } }, populate: ['image'] });
    const anyBadge = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { image: { id: { $notNull: true } } }, populate: ['image'] });
    expect(secretBadge?.image?.id).toBeTruthy();
    const adminUpload = await uploadFile('staff.png', 'image/png', PNG_1X1);
    const lastFile = await app.strapi.db
      .query('plugin::upload.file')
      .findOne({ orderBy: { id: 'desc' }, select: ['id'] });
    const missing = lastFile.id + 1000;

    const before = await userRow(mallory.user.id);
    const answers = [];
    for (const id of [
      bobs.body.avatar.id,
      secretBadge.image.id,
      anyBadge.image.id,
      adminUpload,
      missing,
    ]) {
      const res = await api.updateProfile(mallory, { avatar: id });
      // The id the caller sent is the only difference between the answers.
      answers.push({
        status: res.status,
        body: JSON.stringify(res.body).split(String(id)).join('<id>'),
      });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0].status).toBe(404);
    expect(answers[0].body).toContain('avatar');
    expect(JSON.stringify(answers)).not.toMatch(/\/uploads\//);

    expect(await userRow(mallory.user.id)).toEqual(before);
    await drain(app);
    const earned = await app.strapi.db
      .query('plugin::achievements.achievement')
      .findMany({ where: { userId: mallory.user.id } });
    expect(earned).toHaveLength(0);
  });

  it('POST /api/profile/avatar takes only an image by its content, one file, and attaches nothing else', async () => {
    const before = await userRow(alice.user.id);
    const files = await app.strapi.db.query('plugin::upload.file').count();
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    );
    for (const [content, name, type] of [
      [Buffer.from('not an image'), 'notes.png', 'image/png'],
      [svg, 'badge.svg', 'image/svg+xml'],
      [Buffer.alloc(0), 'empty.png', 'image/png'],
    ] as const) {
      expect400Naming(await uploadAvatar(alice, content, name, type), 'files');
    }
    const none = await app
      .request()
      .post('/api/profile/avatar')
      .set(auth(alice))
      .field('note', 'no file');
    expect400Naming(none, 'files');
    const anonymous = await app
      .request()
      .post('/api/profile/avatar')
      .attach('files', PNG_1X1, { filename: 'a.png', contentType: 'image/png' });
    expect(anonymous.status).toBe(403);
    expect(await userRow(alice.user.id)).toEqual(before);
    expect(await app.strapi.db.query('plugin::upload.file').count()).toBe(files);
  });

  it("users-permissions' own user routes cannot be used to change another member", async () => {
    const before = await userRow(bob.user.id);
    const res = await asMember(alice).put(`/api/users/${bob.user.id}`, {
      bio: 'hijacked',
      blocked: true,
    });
    expect(res.status).toBe(403);
    expect(await userRow(bob.user.id)).toEqual(before);
  });
});

describe('posts', () => {
  let author: Member;
  let other: Member;

  beforeAll(async () => {
    author = await registerMember(app);
    other = await registerMember(app);
  });

  it('POST /api/posts creates and publishes the caller’s post', async () => {
    const res = await api.createPost(author, 'Grid or flexbox?', 'Which one first?');
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      title: 'Grid or flexbox?',
      body: 'Which one first?',
      publishedAt: expect.any(String),
      author: { id: author.user.id, username: author.user.username },
    });

    const published = await app.strapi
      .documents(POST)
      .findOne({ documentId: res.body.data.documentId, status: 'published', populate: ['author'] });
    expect(published?.author?.id).toBe(author.user.id);
    const read = await app.request().get(`/api/posts/${res.body.data.documentId}`);
    expect(read.status).toBe(200);
    expect(read.body.data.title).toBe('Grid or flexbox?');
  });

  it.each([
    [{ body: 'no title' }, 'title'],
    [{ title: '   ', body: 'blank title' }, 'title'],
    [{ title: 'no body' }, 'body'],
    [{ title: 'x', body: 42 }, 'body'],
    [{ title: 'x', body: 'y', author: 1 }, 'author'],
    [{ title: 'x', body: 'y', publishedAt: null }, 'publishedAt'],
    [['not', 'an', 'object'], '(body)'],
  ])('refuses %j with 400 naming %s and creates nothing', async (body, field) => {
    await expectNothingCreated(POST, author, '/api/posts', body, field);
  });

  it('only the author deletes a post: 403 for another member, 404 for an unknown one', async () => {
    const created = await api.createPost(author, 'Delete me', 'soon');
    const { documentId } = created.body.data;

    const denied = await api.deletePost(other, documentId);
    expect(denied.status).toBe(403);
    expect(
      await app.strapi.documents(POST).findOne({ documentId, status: 'published' })
    ).not.toBeNull();

    const unknown = await api.deletePost(author, 'doesnotexist000000000000');
    expect(unknown.status).toBe(404);

    const deleted = await api.deletePost(author, documentId);
    expect(deleted.status).toBe(204);
    expect(await app.strapi.db.query(POST).count({ where: { documentId } })).toBe(0);
    expect((await app.request().get(`/api/posts/${documentId}`)).status).toBe(404);
  });

  it('the core write routes do not exist, and no end-user role holds a core write action', async () => {
    const course = await asMember(author).post('/api/courses', { data: { title: 'x' } });
    expect(course.status).toBe(405);
    const post = await api.createPost(author, 't', 'b');
    const put = await asMember(author).put(`/api/posts/${post.body.data.documentId}`, {
      data: { title: 'changed' },
    });
    expect(put.status).toBe(405);

    const granted = await app.strapi.db.query('plugin::users-permissions.permission').findMany({
      where: { role: { type: { $in: ['public', 'authenticated'] } } },
    });
    const actions = granted.map((p: { action: string }) => p.action);
    expect(actions).toEqual(
      expect.arrayContaining(['api::post.post.find', 'api::post.member.create'])
    );
    const contentTypes =
      'course|module|lesson|enrollment|lesson-completion|module-completion|post|comment|reaction';
    const coreWrite = new RegExp(`^api::(${contentTypes})\\.\\1\\.(create|update|delete)$`);
    expect(coreWrite.test('api::lesson-completion.lesson-completion.create')).toBe(true);
    const coreWrites = actions.filter((a: string) => coreWrite.test(a));
    expect(coreWrites).toEqual([]);
  });

  it('anyone can read published posts, but not drafts', async () => {
    const draft = await app.strapi.documents(POST).create({
      data: { title: 'Draft only', body: 'hidden', author: author.user.id },
    });
    const list = await app.request().get('/api/posts?pagination[pageSize]=100');
    expect(list.status).toBe(200);
    expect(list.body.data.map((p: { title: string }) => p.title)).toContain('Grid or flexbox?');
    expect(list.body.data.map((p: { title: string }) => p.title)).not.toContain('Draft only');
    expect((await app.request().get(`/api/posts/${draft.documentId}`)).status).toBe(404);
  });
});

describe('comments', () => {
  let author: Member;
  let commenter: Member;
  let bystander: Member;
  let postId: string;

  beforeAll(async () => {
    ({
      members: [author, commenter, bystander],
      postId,
    } = await discussion('Help with the DOM', 'querySelector returns null'));
  });

  const comment = async (member: Member, body: string) => {
    const res = await api.comment(member, postId, body);
    expect(res.status).toBe(201);
    return res.body.data.documentId as string;
  };
  const helpfulInDb = async (documentId: string) =>
    (await app.strapi.db.query(COMMENT).findOne({ where: { documentId } })).helpful;

  it('POST /api/comments comments on a published post as the caller', async () => {
    const res = await api.comment(commenter, postId, 'Run it after DOMContentLoaded.');
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      body: 'Run it after DOMContentLoaded.',
      helpful: false,
      post: postId,
      author: { id: commenter.user.id },
    });
    const row = await app.strapi.documents(COMMENT).findOne({
      documentId: res.body.data.documentId,
      populate: ['author', 'post'],
    });
    expect(row?.author?.id).toBe(commenter.user.id);
    expect(row?.post?.documentId).toBe(postId);
  });

  it.each([
    [{ body: 'no post' }, 'post'],
    [{ post: 'x', body: '' }, 'body'],
    [{ post: 12, body: 'numeric post' }, 'post'],
    [{ post: 'x', body: 'y', helpful: true }, 'helpful'],
    [{ post: 'x', body: 'y', author: 1 }, 'author'],
  ])('refuses %j with 400 naming %s', async (body, field) => {
    await expectNothingCreated(COMMENT, commenter, '/api/comments', body, field);
  });

  it('commenting on an unknown or unpublished post is a 404', async () => {
    const unknown = await api.comment(commenter, 'doesnotexist000000000000', 'hello?');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('post');

    const draft = await app.strapi.documents(POST).create({
      data: { title: 'Draft', body: 'not yet', author: author.user.id },
    });
    const onDraft = await api.comment(commenter, draft.documentId, 'early');
    expect(onDraft.status).toBe(404);
  });

  it("only the post's author marks a comment helpful (403 for others, comment unchanged)", async () => {
    const id = await comment(commenter, 'Check the selector spelling.');

    const byBystander = await api.markHelpful(bystander, id, true);
    expect(byBystander.status).toBe(403);
    expect(await helpfulInDb(id)).toBe(false);

    const byCommenter = await api.markHelpful(commenter, id, true);
    expect(byCommenter.status).toBe(403);
    expect(await helpfulInDb(id)).toBe(false);

    const byAuthor = await api.markHelpful(author, id, true);
    expect(byAuthor.status).toBe(200);
    expect(byAuthor.body.data).toMatchObject({ documentId: id, helpful: true, post: postId });
    expect(await helpfulInDb(id)).toBe(true);

    const unmark = await api.markHelpful(author, id, false);
    expect(unmark.status).toBe(200);
    expect(await helpfulInDb(id)).toBe(false);
  });

  it("the post's author cannot mark their own comment helpful", async () => {
    const id = await comment(author, 'Answering myself.');
    const res = await api.markHelpful(author, id, true);
    expect(res.status).toBe(403);
    expect(await helpfulInDb(id)).toBe(false);
  });

  it('bad helpful bodies are 400 naming the field; unknown comments are 404', async () => {
    const id = await comment(commenter, 'Another idea.');
    const helpful = `/api/comments/${id}/helpful`;
    expect400Naming(await asMember(author).patch(helpful, { helpful: 'yes' }), 'helpful');
    expect400Naming(await asMember(author).patch(helpful, {}), 'helpful');
    expect400Naming(
      await asMember(author).patch(helpful, { helpful: true, body: 'edited' }),
      'body'
    );
    expect(await helpfulInDb(id)).toBe(false);
    const unknown = await api.markHelpful(author, 'doesnotexist000000000000', true);
    expect(unknown.status).toBe(404);
  });
});

describe('reactions', () => {
  let author: Member;
  let fan: Member;
  let other: Member;
  let postId: string;
  let commentId: string;

  beforeAll(async () => {
    ({
      members: [author, fan, other],
      postId,
    } = await discussion('My first page', 'Feedback welcome'));
    const comment = await api.comment(other, postId, 'Looks great!');
    commentId = comment.body.data.documentId;
  });

  const reactionRows = (where: Record<string, unknown>) =>
    app.strapi.db.query(REACTION).findMany({ where, populate: ['author', 'post', 'comment'] });

  it('reacts once per member, target and kind: a repeat returns the same reaction', async () => {
    const first = await api.react(fan, { post: postId }, 'love');
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({
      kind: 'love',
      post: postId,
      comment: null,
      author: { id: fan.user.id },
    });

    const again = await api.react(fan, { post: postId }, 'love');
    expect(again.status).toBe(200);
    expect(again.body.data.documentId).toBe(first.body.data.documentId);

    const rows = await reactionRows({ author: { id: fan.user.id }, post: { documentId: postId } });
    expect(rows).toHaveLength(1);

    const otherKind = await api.react(fan, { post: postId }, 'insightful');
    expect(otherKind.status).toBe(201);

    const onComment = await api.react(fan, { comment: commentId }, 'like');
    expect(onComment.status).toBe(201);
    expect(onComment.body.data).toMatchObject({ kind: 'like', post: null, comment: commentId });
  });

  it('20 concurrent identical reactions record exactly one row', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.react(other, { post: postId }, 'celebrate'))
    );
    expect(responses.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201]);
    expect(new Set(responses.map((r) => r.body.data.documentId)).size).toBe(1);
    const rows = await reactionRows({ reactionKey: `${other.user.id}:post:${postId}:celebrate` });
    expect(rows).toHaveLength(1);
  });

  it.each([
    [{ kind: 'like' }, 'post'],
    [{ post: 'a', comment: 'b', kind: 'like' }, 'comment'],
    [{ post: 'a', kind: 'meh' }, 'kind'],
    [{ post: 'a' }, 'kind'],
    [{ post: 'a', kind: 'like', author: 1 }, 'author'],
    [{ post: { documentId: 'a' }, kind: 'like' }, 'post'],
  ])('refuses %j with 400 naming %s', async (body, field) => {
    await expectNothingCreated(REACTION, fan, '/api/reactions', body, field);
  });

  it('reacting to an unknown post or comment is a 404', async () => {
    const post = await api.react(fan, { post: 'doesnotexist000000000000' }, 'like');
    expect(post.status).toBe(404);
    const comment = await api.react(fan, { comment: 'doesnotexist000000000000' }, 'like');
    expect(comment.status).toBe(404);
  });

  it('a member removes only their own reactions', async () => {
    const created = await api.react(fan, { post: postId }, 'like');
    const { documentId } = created.body.data;

    const denied = await api.unreact(other, documentId);
    expect(denied.status).toBe(403);
    expect(await app.strapi.db.query(REACTION).count({ where: { documentId } })).toBe(1);

    const byAuthorOfPost = await api.unreact(author, documentId);
    expect(byAuthorOfPost.status).toBe(403);

    const unknown = await api.unreact(fan, 'doesnotexist000000000000');
    expect(unknown.status).toBe(404);

    const removed = await api.unreact(fan, documentId);
    expect(removed.status).toBe(204);
    expect(await app.strapi.db.query(REACTION).count({ where: { documentId } })).toBe(0);

    // The key is free again: reacting anew is a new reaction.
    const anew = await api.react(fan, { post: postId }, 'like');
    expect(anew.status).toBe(201);
    expect(anew.body.data.documentId).not.toBe(documentId);
  });

  it('the member API is closed to anonymous callers', async () => {
    expect(
      (await app.request().post('/api/reactions').send({ post: postId, kind: 'like' })).status
    ).toBe(403);
    expect((await app.request().post('/api/posts').send({ title: 't', body: 'b' })).status).toBe(
      403
    );
    expect(
      (await app.request().post('/api/comments').send({ post: postId, body: 'b' })).status
    ).toBe(403);
  });
});
