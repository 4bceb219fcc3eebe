import { SECRET_ENV } from '../../server/src/credentials/secret';
import { startChildStrapi } from './helpers/child-strapi';
import { registerMember, setupTestApp, superAdminToken, type Member } from './helpers/strapi';
import { enableAchievements } from './support/achievements';
import { TEST_HOST, verifyCredential } from './support/credentials';

/**
 * Issue 14: the first issue of a credential is raced by two Strapi processes on one database
 * (this one over HTTP, twice per achievement, and a child through the service), for several
 * achievements at once. Each achievement ends with exactly one credential row, and every answer
 * is that same signed credential, which verifies. Run it on SQLite, PostgreSQL and MariaDB.
 */
const SECRET = 'race-secret-for-credentials-0123456789-abcdef';
const app = setupTestApp({ env: { [SECRET_ENV]: SECRET } });
const API = '/api/achievements';

/** The child: says it is ready, waits for the ids, issues them all at once, sends them back. */
const CHILD = `
  const credentials = strapi.plugin('achievements').service('credentials');
  process.send({ ready: true });
  const { ids, userId } = await new Promise((resolve) => process.once('message', resolve));
  const documents = await Promise.all(
    ids.map((id) => credentials.forViewer(id, userId).then((row) => row.document))
  );
  await new Promise((resolve) => process.send({ documents }, resolve));
`;

describe('two processes issuing the same credentials at once', () => {
  let member: Member;
  let achievementIds: string[];

  beforeAll(async () => {
    await enableAchievements(app);
    const token = await superAdminToken(app);
    const on = await app
      .request()
      .put('/achievements/credentials/settings')
      .set('Authorization', `Bearer ${token}`)
      .send({ credentials: { enabled: true, host: TEST_HOST } });
    expect(on.status).toBe(200);
    member = await registerMember(app);
    const badges = await app.strapi.db
      .query('plugin::achievements.badge')
      .findMany({ where: { secret: false }, limit: 8, orderBy: { id: 'asc' } });
    for (const badge of badges) {
      const res = await app
        .request()
        .post(`/achievements/members/${member.user.id}/award`)
        .set('Authorization', `Bearer ${token}`)
        .send({ badge: badge.documentId });
      expect(res.status).toBe(200);
    }
    const rows = await app.strapi.db
      .query('plugin::achievements.achievement')
      .findMany({ where: { userId: member.user.id, revokedAt: null } });
    achievementIds = rows.map((r: { documentId: string }) => r.documentId);
    expect(achievementIds.length).toBeGreaterThanOrEqual(badges.length); // meta badges may follow
  });

  it('stores one credential per achievement, and every answer is it', async () => {
    const child = startChildStrapi({ db: app.db, env: { [SECRET_ENV]: SECRET }, afterLoad: CHILD });
    const fromChild = new Promise<Record<string, unknown>[]>((resolve) => {
      child.process.on('message', (message: any) => {
        if (message.ready) {
          child.process.send({ ids: achievementIds, userId: member.user.id });
        } else if (message.documents) resolve(message.documents);
      });
    });
    const byHttp = await Promise.all(
      achievementIds.flatMap((id) =>
        [1, 2].map(async () => {
          // Start the requests once the child is about to issue too.
          await new Promise<void>((resolve) => child.process.once('message', () => resolve()));
          const res = await app
            .request()
            .get(`${API}/credentials/${id}`)
            .set('Authorization', `Bearer ${member.jwt}`);
          expect(res.status).toBe(200);
          return JSON.parse(res.text);
        })
      )
    );
    const childDocuments = await fromChild;
    const outcome = await child.exited;
    expect(outcome.output).not.toMatch(/FAILED/);
    expect(outcome.code).toBe(0);

    for (const [i, id] of achievementIds.entries()) {
      const rows = await app.strapi.db
        .query('plugin::achievements.credential')
        .findMany({ where: { achievementDocumentId: id } });
      expect([id, rows.length]).toEqual([id, 1]);
      const stored =
        typeof rows[0].document === 'string' ? JSON.parse(rows[0].document) : rows[0].document;
      expect(byHttp[2 * i]).toEqual(stored);
      expect(byHttp[2 * i + 1]).toEqual(stored);
      expect(childDocuments[i]).toEqual(stored);
      expect(await verifyCredential(app, stored)).toEqual({ verified: true, revoked: false });
    }
  });
});
