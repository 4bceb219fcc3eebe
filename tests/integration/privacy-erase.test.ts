import { registerMember, setupTestApp, superAdminToken, type Member } from './helpers/strapi';
import { academy, createCourse, ok, type CourseFixture } from './support/academy';
import { enableCredentials, verifyCredential } from './support/credentials';
import {
  achievementRows,
  drain,
  earnedSlugs,
  enableAchievements,
  eventRows,
  plugin,
} from './support/achievements';
import {
  eraseInProcessKilledAfter,
  erasureRows,
  scanForMember,
  tablesWithoutMember,
  waitForErasures,
} from './support/privacy';

const USER = 'plugin::users-permissions.user';
const EVENT = 'plugin::achievements.event';
const ERASURE = 'plugin::achievements.erasure';

/**
 * A member's erase (data protection): every row about them leaves every plugin table, by the
 * service and whenever their account is deleted, by any path; other members keep what they
 * earned from them; an erase a crash interrupted is finished by the next start.
 */
const app = setupTestApp({
  env: {
    ACHIEVEMENTS_LEASE_MS: '1500',
    ACHIEVEMENTS_POLL_MS: '500',
    // Credentials on, so the member holds a credential too (and its erase is covered).
    ACHIEVEMENTS_CREDENTIALS_SECRET: 'test-secret-for-credentials-0123456789-abcdef',
  },
});

describe("erasing a member's data", () => {
  let course: CourseFixture;
  let admin: string;

  beforeAll(async () => {
    await enableAchievements(app);
    course = await createCourse(app, { modules: 1, lessons: 2 });
    admin = await superAdminToken(app);
    await enableCredentials(app, admin);
  });

  /** The credential of the member's first achievement (issued on this first fetch). */
  const credentialOf = async (member: Member) => {
    const achievement = await app.strapi.db
      .query('plugin::achievements.achievement')
      .findOne({ where: { userId: member.user.id }, orderBy: { id: 'asc' } });
    const res = await app
      .request()
      .get(`/api/achievements/credentials/${achievement.documentId}`)
      .set('Authorization', `Bearer ${member.jwt}`);
    expect(res.status).toBe(200);
    return JSON.parse(res.text);
  };

  /**
   * A member with a row in every plugin table: facts, awards, progress, streak, preference,
   * credential, notifications and an email digest.
   */
  const activeMember = async (other: Member) => {
    const member = await registerMember(app);
    const api = academy(app);
    ok(await api.completeLesson(member, course.modules[0].lessons[0]));
    const post = ok(await api.createPost(other, 'Hello from the other member'));
    // The member acts on another member: a fact about `other` with the member as its actor.
    ok(await api.react(member, { post: post.body.data.documentId }));
    await drain(app);
    ok(
      await app
        .request()
        .put('/api/achievements/me/privacy')
        .set('Authorization', `Bearer ${member.jwt}`)
        .send({ public: false })
    );
    await credentialOf(member);
    // A digest planned (not sent: planning alone writes the row).
    await plugin(app)
      .service('settings')
      .update({ notifications: { email: true, frequency: 'immediately' } });
    await plugin(app)
      .service('digests')
      .plan(new Date(Date.now() + 1000));
    return member;
  };

  it('leaves no row about the member in any plugin table (tables and columns from Strapi metadata)', async () => {
    const other = await registerMember(app);
    const ada = await activeMember(other);
    // Every table with a member column holds the member, except the erase jobs' own (a job
    // names the member only while it runs).
    expect(await tablesWithoutMember(app, ada.user.id)).toEqual([ERASURE]);
    expect((await scanForMember(app, ada.user)).length).toBeGreaterThan(0);
    const otherBefore = await eventRows(app, { userId: other.user.id });
    const issued = await credentialOf(ada);
    expect(await verifyCredential(app, issued)).toEqual({ verified: true, revoked: false });

    const receipt = await plugin(app).service('privacy').erase(ada.user.id);

    expect(await scanForMember(app, ada.user)).toEqual([]);
    expect(receipt).toMatchObject({ status: 'done', origin: 'service' });
    expect(receipt.tables['ledger.deleted']).toBeGreaterThan(0);
    expect(receipt.tables['ledger.pseudonymised']).toBe(1);
    expect(receipt.tables['achievements.deleted']).toBeGreaterThan(0);
    expect(receipt.tables['progress.deleted']).toBeGreaterThan(0);
    expect(receipt.tables['streaks.deleted']).toBe(1);
    expect(receipt.tables['preferences.deleted']).toBe(1);
    expect(receipt.tables['credentials.deleted']).toBe(1);
    expect(receipt.tables['digests.deleted']).toBe(1);
    // The credential the member may have shared now says revoked (status bits stay set).
    expect(await verifyCredential(app, issued)).toMatchObject({ revoked: true });
    expect(receipt.rows).toBe(
      Object.values(receipt.tables as Record<string, number>).reduce((a, b) => a + b, 0)
    );
    // The receipt holds no identity: its member column is cleared.
    const [stored] = await erasureRows(app, { id: receipt.id });
    expect(stored.userId).toBeNull();
    // The other member's fact stays, with the actor pseudonymised (negative: no member id).
    const otherAfter = await eventRows(app, { userId: other.user.id });
    expect(otherAfter.map((e: any) => e.key).sort()).toEqual(
      otherBefore.map((e: any) => e.key).sort()
    );
    const reaction = otherAfter.find((e: any) => e.type === 'reaction.received');
    expect(reaction.actorId).toBeLessThan(0);

    // An event for the erased member arriving afterwards does not re-create them.
    const late = await plugin(app)
      .service('events')
      .record({
        type: 'lesson.completed',
        userId: ada.user.id,
        key: `late:${ada.user.id}`,
        subject: course.modules[0].lessons[1],
      });
    expect(late).toEqual({ accepted: false, duplicate: false });
    ok(await academy(app).completeLesson(ada, course.modules[0].lessons[1]));
    await drain(app);
    expect(await scanForMember(app, ada.user)).toEqual([]);
  });

  it('with "revoke credentials on erase" off, the rows go and the copies the member holds stay valid', async () => {
    const setRevoke = async (revokeCredentialsOnErase: boolean) => {
      const res = await app
        .request()
        .put('/achievements/settings')
        .set('Authorization', `Bearer ${admin}`)
        .send({ privacy: { revokeCredentialsOnErase } });
      expect(res.status).toBe(200);
      expect(res.body.data.privacy).toEqual({ revokeCredentialsOnErase });
    };
    await setRevoke(false);
    try {
      const ada = await activeMember(await registerMember(app));
      const issued = await credentialOf(ada);
      const preview = await app
        .request()
        .get(`/achievements/members/${ada.user.id}/erase`)
        .set('Authorization', `Bearer ${admin}`);
      expect(preview.body.data).toMatchObject({
        credentials: 1,
        credentialsInForce: 1,
        revokesCredentials: false,
      });

      const receipt = await plugin(app).service('privacy').erase(ada.user.id);

      expect(receipt.tables['credentials.deleted']).toBe(1);
      expect(await scanForMember(app, ada.user)).toEqual([]);
      expect(await verifyCredential(app, issued)).toEqual({ verified: true, revoked: false });
    } finally {
      await setRevoke(true);
    }
  });

  it('is an erase too when the account is deleted: content manager, DELETE /api/users/:id, document service, query engine', async () => {
    const other = await registerMember(app);
    const viaContentManager = await activeMember(other);
    const viaRest = await activeMember(other);
    const viaDocuments = await activeMember(other);
    const viaQuery = await activeMember(other);
    const receiptsBefore = (await erasureRows(app)).length;

    // 1. The admin's content manager.
    ok(
      await app
        .request()
        .delete(`/content-manager/collection-types/${USER}/${viaContentManager.user.documentId}`)
        .set('Authorization', `Bearer ${admin}`)
    );
    // 2. users-permissions' REST API, by a member whose role may delete users.
    const moderator = await registerMember(app);
    const role = await app.strapi.db
      .query('plugin::users-permissions.role')
      .create({ data: { name: 'Moderator', description: 'deletes users', type: 'moderator' } });
    await app.strapi.db
      .query('plugin::users-permissions.permission')
      .create({ data: { action: 'plugin::users-permissions.user.destroy', role: role.id } });
    await app.strapi.db
      .query(USER)
      .update({ where: { id: moderator.user.id }, data: { role: role.id } });
    ok(
      await app
        .request()
        .delete(`/api/users/${viaRest.user.id}`)
        .set('Authorization', `Bearer ${moderator.jwt}`)
    );
    // 3. The document service; 4. the query engine.
    await app.strapi.documents(USER).delete({ documentId: viaDocuments.user.documentId });
    await app.strapi.db.query(USER).delete({ where: { id: viaQuery.user.id } });

    const receipts = await waitForErasures(app, receiptsBefore + 4);
    const fresh = receipts.slice(receiptsBefore);
    expect(fresh.map((r) => r.origin)).toEqual(Array(4).fill('user-deleted'));
    for (const member of [viaContentManager, viaRest, viaDocuments, viaQuery]) {
      expect(await app.strapi.db.query(USER).findOne({ where: { id: member.user.id } })).toBeNull();
      expect({ member: member.user.username, left: await scanForMember(app, member.user) }).toEqual(
        { member: member.user.username, left: [] }
      );
    }
    // Another member's data is untouched.
    expect((await eventRows(app, { userId: other.user.id })).length).toBeGreaterThan(0);
  });

  it("another member's badge earned from the erased member's reactions survives the erase and a full recalculation", async () => {
    const author = await registerMember(app);
    const post = ok(await academy(app).createPost(author, 'React to me'));
    const reactors: Member[] = [];
    for (let i = 0; i < 10; i += 1) {
      const reactor = await registerMember(app);
      ok(await academy(app).react(reactor, { post: post.body.data.documentId }));
      reactors.push(reactor);
    }
    await drain(app);
    expect(await earnedSlugs(app, author.user.id)).toContain('reactions-10');
    const erased = reactors[0];

    const before = (await erasureRows(app)).length;
    await app.strapi.documents(USER).delete({ documentId: erased.user.documentId });
    await waitForErasures(app, before + 1);
    await drain(app);
    expect(await scanForMember(app, erased.user)).toEqual([]);
    expect(await earnedSlugs(app, author.user.id)).toContain('reactions-10');

    const run = await plugin(app).service('recalculation').run({ full: true, notify: false });
    expect(run.status).toBe('done');
    await drain(app);
    expect(await earnedSlugs(app, author.user.id)).toContain('reactions-10');
    const [held] = await achievementRows(app, { userId: author.user.id, revokedAt: null });
    expect(held).toBeDefined();
    expect(await scanForMember(app, erased.user)).toEqual([]);
  });

  it('an erase whose process was killed half-way is completed on the next start; a second erase removes 0 rows', async () => {
    const other = await registerMember(app);
    const bea = await activeMember(other);
    // Nothing in this process may finish the job: only the next start.
    await plugin(app).service('privacy').stop();

    const crash = await eraseInProcessKilledAfter(bea.user.id, 'achievements');
    expect({ signal: crash.signal, output: crash.signal ? '' : crash.output }).toEqual({
      signal: 'SIGKILL',
      output: '',
    });
    const [job] = await erasureRows(app, { status: 'running' });
    expect(job).toMatchObject({ userId: bea.user.id, resumed: 0 });
    // Killed between steps: the ledger and the achievements are gone, the rest is still there.
    expect(await eventRows(app, { userId: bea.user.id })).toEqual([]);
    expect(await achievementRows(app, { userId: bea.user.id })).toEqual([]);
    expect((await scanForMember(app, bea.user)).length).toBeGreaterThan(0);

    await app.restart();
    await waitForErasures(app, (await erasureRows(app)).length);
    const [resumed] = await erasureRows(app, { id: job.id });
    expect(resumed).toMatchObject({ status: 'done', userId: null, resumed: 1 });
    expect(resumed.steps['progress.deleted']).toBeGreaterThan(0);
    expect(resumed.steps['achievements.deleted']).toBeGreaterThan(0);
    expect(await scanForMember(app, bea.user)).toEqual([]);

    const again = await plugin(app).service('privacy').erase(bea.user.id);
    expect(again.status).toBe('done');
    expect(again.rows).toBe(0);
    expect(await scanForMember(app, bea.user)).toEqual([]);
    const eventCount = await app.strapi.db.query(EVENT).count({ where: { userId: bea.user.id } });
    expect(eventCount).toBe(0);
  });
});
