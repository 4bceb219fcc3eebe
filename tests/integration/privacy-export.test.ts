import { ACTIONS, CONTENT_API_ACTIONS } from '../../common/constants';
import { memberExportSchema } from '../../common/api';
import {
  apiToken,
  registerMember,
  restrictedAdminToken,
  setupTestApp,
  superAdminToken,
  type Member,
  type TestApp,
} from './helpers/strapi';
import { academy, createCourse, ok } from './support/academy';
import { drain, earnedSlugs, enableAchievements, plugin } from './support/achievements';
import { API_PREFIX, call } from './support/openapi';
import { enableCredentials, verifyCredential } from './support/credentials';
import { erasureRows, scanForMember } from './support/privacy';

// Credentials on, so the export holds issued credentials, one of them revoked.
const app = setupTestApp({
  env: { ACHIEVEMENTS_CREDENTIALS_SECRET: 'test-secret-for-credentials-0123456789-abcdef' },
});

/** Issues (on its first fetch) the credential of each achievement the member holds now. */
const fetchCredentials = async (member: Member) => {
  const held = await app.strapi.db
    .query('plugin::achievements.achievement')
    .findMany({ where: { userId: member.user.id, revokedAt: null } });
  for (const achievement of held)
    ok(
      await app
        .request()
        .get(`${API_PREFIX}/credentials/${achievement.documentId}`)
        .set('Authorization', `Bearer ${member.jwt}`)
    );
  return held.length;
};

/**
 * The rows of one plugin table, read with plain SQL and named by the content type's attributes
 * (as the export names them): the export is checked against the database, not against itself.
 */
const databaseRows = async (
  test: TestApp,
  uid: string,
  where: (q: any, col: (a: string) => string) => void
) => {
  const meta: any = test.strapi.db.metadata.get(uid as any);
  const col = (a: string) => meta.attributes[a].columnName ?? a;
  const query = test.strapi.db.connection(meta.tableName).orderBy('id');
  where(query, col);
  const rows = await query;
  return rows.map((r: any) => {
    const out: Record<string, unknown> = {};
    for (const [name, attr] of Object.entries<any>(meta.attributes)) {
      if (!attr.columnName && !(name in r)) continue;
      const v = r[attr.columnName ?? name];
      if (v === undefined) continue;
      if (v === null) out[name] = null;
      else if (attr.type === 'datetime' || attr.type === 'timestamp')
        out[name] = new Date(
          typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v
        ).toISOString();
      else if (attr.type === 'json') out[name] = typeof v === 'string' ? JSON.parse(v) : v;
      else if (attr.type === 'boolean') out[name] = Boolean(v);
      else if (['integer', 'biginteger', 'float', 'decimal'].includes(attr.type))
        out[name] = Number(v);
      else out[name] = v;
    }
    return out;
  });
};

describe("a member's export", () => {
  let ada: Member;
  let bob: Member;
  let bobsCredentials: number;

  beforeAll(async () => {
    await enableAchievements(app);
    const course = await createCourse(app, { modules: 1, lessons: 2 });
    ada = await registerMember(app);
    bob = await registerMember(app);
    const api = academy(app);
    ok(await api.completeLesson(ada, course.modules[0].lessons[0]));
    ok(await api.completeLesson(ada, course.modules[0].lessons[1]));
    ok(await api.completeLesson(bob, course.modules[0].lessons[0]));
    const post = ok(await api.createPost(bob, 'Bob writes'));
    ok(await api.react(ada, { post: post.body.data.documentId }));
    await drain(app);
    ok(
      await app
        .request()
        .put(`${API_PREFIX}/me/featured`)
        .set('Authorization', `Bearer ${ada.jwt}`)
        .send({ badges: ['first-lesson'] })
    );
    const admin = await superAdminToken(app);
    await enableCredentials(app, admin);
    expect(await fetchCredentials(ada)).toBeGreaterThanOrEqual(2);
    bobsCredentials = await fetchCredentials(bob);
    expect(bobsCredentials).toBeGreaterThanOrEqual(1);
    // An admin's revocation: the export shows revoked achievements with their reason, and
    // the credential of the revoked achievement as revoked.
    const firstLesson = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { slug: 'first-lesson' } });
    ok(
      await app
        .request()
        .post(`/achievements/members/${ada.user.id}/revoke`)
        .set('Authorization', `Bearer ${admin}`)
        .send({ badge: firstLesson.documentId, reason: 'testing the export' })
    );
    await drain(app);
  });

  it('GET /me/export equals the database rows, field by field, and names other members only by id', async () => {
    const res = await call(app, 'GET', `${API_PREFIX}/me/export`, { token: ada.jwt });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const doc = memberExportSchema.parse(res.body);
    expect(doc.member).toEqual({
      id: ada.user.id,
      documentId: ada.user.documentId,
      username: ada.user.username,
    });

    const mine = (uid: string) =>
      databaseRows(app, uid, (q, col) => q.where(col('userId'), ada.user.id));
    expect(res.body.events).toEqual(await mine('plugin::achievements.event'));
    expect(res.body.actedIn).toEqual(
      await databaseRows(app, 'plugin::achievements.event', (q, col) =>
        q.where(col('actorId'), ada.user.id).whereNot(col('userId'), ada.user.id)
      )
    );
    expect(res.body.achievements).toEqual(await mine('plugin::achievements.achievement'));
    expect(res.body.progress).toEqual(await mine('plugin::achievements.progress'));
    expect([res.body.streak]).toEqual(await mine('plugin::achievements.streak'));
    expect([res.body.preferences]).toEqual(await mine('plugin::achievements.preference'));
    expect(res.body.notifications).toEqual(await mine('plugin::achievements.notification'));
    expect(res.body.pointsEntries).toEqual(await mine('plugin::achievements.point'));
    expect(res.body.pointsEntries.length).toBeGreaterThan(0);
    // Points, level and standings are what the member's own reads say.
    const me = await call(app, 'GET', `${API_PREFIX}/me`, { token: ada.jwt });
    expect(doc.points).toBe(
      Math.max(
        0,
        res.body.pointsEntries.reduce((sum: number, e: { amount: number }) => sum + e.amount, 0)
      )
    );
    expect({ points: doc.points, level: doc.level }).toEqual({
      points: me.body.points,
      level: me.body.level,
    });
    // The site's board, and each course the member has points in (the academy scopes lessons).
    const courses = [
      ...new Set(res.body.pointsEntries.map((e: { scope: string | null }) => e.scope)),
    ].filter(Boolean) as string[];
    expect(courses.length).toBeGreaterThan(0);
    expect(doc.standings.map((s) => [s.board, s.period.period])).toEqual(
      ['site', ...courses.sort()].flatMap((board) =>
        ['week', 'month', 'all'].map((period) => [board, period])
      )
    );
    for (const standing of doc.standings) {
      const rank = await call(
        app,
        'GET',
        `${API_PREFIX}/me/rank?board=${standing.board}&period=${standing.period.period}`,
        { token: ada.jwt }
      );
      const { user, ...standingOfRank } = rank.body;
      expect(user.id).toBe(ada.user.id);
      expect(standing).toEqual(standingOfRank);
    }
    expect(doc.standings.find((s) => s.period.period === 'all')!.points).toBe(doc.points);
    // Credentials: the rows as stored (the signed document and JWT included), plus their id
    // URL and what the published status list says of them.
    const credentials = await mine('plugin::achievements.credential');
    expect(res.body.credentials.map(({ url: _u, status: _s, ...row }: any) => row)).toEqual(
      credentials
    );
    for (const exported of res.body.credentials) {
      expect(exported.url).toBe(exported.document.id);
      expect(exported.url).toMatch(new RegExp(`/credentials/${exported.achievementDocumentId}\\?`));
      const verified = await verifyCredential(app, exported.document);
      expect({ verified: verified.verified, revoked: verified.revoked }).toEqual({
        verified: true,
        revoked: exported.status === 'revoked',
      });
    }
    expect(res.body.credentials.map((c: any) => [c.status, c.revokeReason])).toEqual(
      expect.arrayContaining([
        ['revoked', 'testing the export'],
        ['valid', null],
      ])
    );

    // What the fixture made is there: own facts, an act on Bob, a revoked achievement.
    expect(res.body.events.length).toBeGreaterThanOrEqual(3);
    expect(res.body.actedIn).toHaveLength(1);
    expect(res.body.actedIn[0]).toMatchObject({ userId: bob.user.id, actorId: ada.user.id });
    expect(
      res.body.achievements.find((a: any) => a.revokeReason === 'testing the export')
    ).toBeDefined();
    // Bob appears only as his id: never his username or documentId.
    expect(res.text).not.toContain(bob.user.username);
    expect(res.text).not.toContain(bob.user.documentId);
    expect(res.text).not.toContain(bob.user.email);
  });

  it('a member exports only themself: no parameter names anyone else, other callers are refused', async () => {
    const bobs = await call(app, 'GET', `${API_PREFIX}/me/export`, { token: bob.jwt });
    expect(bobs.status).toBe(200);
    expect(bobs.body.member.id).toBe(bob.user.id);
    expect(bobs.text).not.toContain(ada.user.username);
    for (const row of [...bobs.body.events, ...bobs.body.achievements, ...bobs.body.progress])
      expect(row.userId).toBe(bob.user.id);

    const named = await call(app, 'GET', `${API_PREFIX}/me/export?userId=${ada.user.id}`, {
      token: bob.jwt,
    });
    expect(named.status).toBe(400);
    expect(named.body.error.message).toMatch(/userId/);
    expect((await call(app, 'GET', `${API_PREFIX}/me/export`)).status).toBe(403);
    const token = await apiToken(app, Object.values(CONTENT_API_ACTIONS));
    expect((await call(app, 'GET', `${API_PREFIX}/me/export`, { token })).status).toBe(403);
    // A member's JWT is no admin token.
    const adminRoute = `/achievements/members/${ada.user.id}/export`;
    const asMember = await app.request().get(adminRoute).set('Authorization', `Bearer ${bob.jwt}`);
    expect(asMember.status).toBe(401);
  });

  it('the admin export needs members.export and gives the same document', async () => {
    const url = `/achievements/members/${ada.user.id}/export`;
    expect((await app.request().get(url)).status).toBe(401);
    const awardOnly = await restrictedAdminToken(app, [ACTIONS.membersAward]);
    expect((await app.request().get(url).set('Authorization', `Bearer ${awardOnly}`)).status).toBe(
      403
    );
    const exporter = await restrictedAdminToken(app, [ACTIONS.membersExport]);
    const res = await app.request().get(url).set('Authorization', `Bearer ${exporter}`);
    expect(res.status).toBe(200);
    const mine = await call(app, 'GET', `${API_PREFIX}/me/export`, { token: ada.jwt });
    const { exportedAt: _a, ...adminDoc } = res.body;
    const { exportedAt: _b, ...memberDoc } = mine.body;
    expect(adminDoc).toEqual(memberDoc);
    const missing = await app
      .request()
      .get('/achievements/members/99999/export')
      .set('Authorization', `Bearer ${exporter}`);
    expect(missing.status).toBe(404);
    const bad = await app
      .request()
      .get('/achievements/members/abc/export')
      .set('Authorization', `Bearer ${exporter}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/id/);
  });

  it('the admin erase needs members.erase: a preview names what goes, then a receipt without identity', async () => {
    const exporter = await restrictedAdminToken(app, [ACTIONS.membersExport]);
    const eraser = await restrictedAdminToken(app, [ACTIONS.membersErase]);
    const url = `/achievements/members/${bob.user.id}/erase`;
    expect((await app.request().post(url).set('Authorization', `Bearer ${exporter}`)).status).toBe(
      403
    );
    const preview = await app.request().get(url).set('Authorization', `Bearer ${eraser}`);
    expect(preview.status).toBe(200);
    expect(preview.body.data).toMatchObject({
      streaks: 1,
      ledgerActedIn: 0,
      credentials: bobsCredentials,
      credentialsInForce: bobsCredentials,
      revokesCredentials: true,
    });
    expect(preview.body.data.ledger).toBeGreaterThan(0);

    const erased = await app.request().post(url).set('Authorization', `Bearer ${eraser}`);
    expect(erased.status).toBe(200);
    expect(preview.body.data.digests).toBe(0);
    expect(preview.body.data.points).toBeGreaterThan(0);
    expect(erased.body.data).toMatchObject({
      status: 'done',
      origin: 'admin',
      admin: { name: 'Eddie Editor' },
    });
    expect(erased.body.data.tables['points.deleted']).toBe(preview.body.data.points);
    expect(erased.body.data.tables['ledger.deleted']).toBe(preview.body.data.ledger);
    expect(erased.body.data.tables['streaks.deleted']).toBe(1);
    expect(erased.body.data.tables['credentials.deleted']).toBe(preview.body.data.credentials);
    expect(await scanForMember(app, bob.user)).toEqual([]);

    const receipts = await app
      .request()
      .get('/achievements/erasures')
      .set('Authorization', `Bearer ${eraser}`);
    expect(receipts.status).toBe(200);
    expect(receipts.body.data[0]).toEqual(erased.body.data);
    expect(JSON.stringify(receipts.body)).not.toContain(String(bob.user.username));
    const [row] = await erasureRows(app, { id: erased.body.data.id });
    expect(row.userId).toBeNull();
    const badPage = await app
      .request()
      .get('/achievements/erasures?page=0')
      .set('Authorization', `Bearer ${eraser}`);
    expect(badPage.status).toBe(400);
  });

  it('an admin with members.erase lets an erased member who kept their account earn again, on the record', async () => {
    // Bob was erased above and keeps his account: his events are refused.
    const lesson = async (key: string) =>
      plugin(app)
        .service('events')
        .record({ type: 'lesson.completed', userId: bob.user.id, key, subject: key });
    expect(await lesson('before-lift')).toEqual({ accepted: false, duplicate: false });
    const detail = async () =>
      (
        await app
          .request()
          .get(`/achievements/members/${bob.user.id}`)
          .set('Authorization', `Bearer ${await superAdminToken(app)}`)
      ).body.data;
    expect((await detail()).erased).toBe(true);

    const url = `/achievements/members/${bob.user.id}/tombstone`;
    const exporter = await restrictedAdminToken(app, [ACTIONS.membersExport]);
    const eraser = await restrictedAdminToken(app, [ACTIONS.membersErase]);
    expect((await app.request().delete(url)).status).toBe(401);
    expect(
      (await app.request().delete(url).set('Authorization', `Bearer ${exporter}`)).status
    ).toBe(403);
    const never = await app
      .request()
      .delete(`/achievements/members/${ada.user.id}/tombstone`)
      .set('Authorization', `Bearer ${eraser}`);
    expect(never.status).toBe(404);
    expect(never.body.error.message).toMatch(/no tombstone/);
    const bad = await app
      .request()
      .delete('/achievements/members/abc/tombstone')
      .set('Authorization', `Bearer ${eraser}`);
    expect(bad.status).toBe(400);

    const lifted = await app.request().delete(url).set('Authorization', `Bearer ${eraser}`);
    expect(lifted.status).toBe(200);
    expect(lifted.body.data).toMatchObject({
      status: 'done',
      origin: 'tombstone-lifted',
      tables: { 'tombstones.deleted': 1 },
      rows: 1,
      admin: { name: 'Eddie Editor' },
    });
    expect(lifted.body.data.admin.id).toEqual(expect.any(Number));
    // Recorded among the receipts, naming no one.
    const receipts = await app
      .request()
      .get('/achievements/erasures')
      .set('Authorization', `Bearer ${eraser}`);
    expect(receipts.body.data[0]).toEqual(lifted.body.data);
    const [row] = await erasureRows(app, { id: lifted.body.data.id });
    expect(row.userId).toBeNull();

    expect((await detail()).erased).toBe(false);
    expect(await lesson('after-lift')).toEqual({ accepted: true, duplicate: false });
    await drain(app);
    expect(await earnedSlugs(app, bob.user.id)).toContain('first-lesson');
    const again = await app.request().delete(url).set('Authorization', `Bearer ${eraser}`);
    expect(again.status).toBe(404);
  });
});
