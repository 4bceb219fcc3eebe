import { SECRET_ENV } from '../../server/src/credentials/secret';
import { indexExists } from '../../server/src/stores/indexes';
import { startChildStrapi } from './helpers/child-strapi';
import { setupTestApp, superAdminToken } from './helpers/strapi';

/**
 * Issue 14: once credentials are switched on, a start without ACHIEVEMENTS_CREDENTIALS_SECRET
 * (e.g. the variable dropped from a deployment) fails, with an error naming the variable; a
 * second Strapi is started on this file's database with the secret unset, too short, or right.
 */
const SECRET = 'startup-secret-for-credentials-0123456789-abcdef';
const app = setupTestApp({ env: { [SECRET_ENV]: SECRET } });

const startWith = (secret: string | null) =>
  startChildStrapi({
    db: app.db,
    unset: [SECRET_ENV],
    env: secret === null ? {} : { [SECRET_ENV]: secret },
  }).exited;

const switchCredentials = async (enabled: boolean) => {
  const res = await app
    .request()
    .put('/achievements/credentials/settings')
    .set('Authorization', `Bearer ${await superAdminToken(app)}`)
    .send({ credentials: { enabled } });
  expect(res.status).toBe(200);
};

describe('starting with credentials switched on', () => {
  beforeAll(() => switchCredentials(true));

  it('fails without the secret, naming the variable', async () => {
    const { code, output } = await startWith(null);
    expect(code).toBe(1);
    expect(output).toContain(
      `LOAD FAILED: achievements: credentials are switched on, but ${SECRET_ENV} is not set`
    );
  });

  it('fails with a secret too short to be one, naming the variable', async () => {
    const { code, output } = await startWith('short-secret');
    expect(code).toBe(1);
    expect(output).toContain(`${SECRET_ENV} is shorter than 32 characters`);
  });

  it('starts with the secret the keys were sealed with', async () => {
    const { code, output } = await startWith(SECRET);
    expect(output).not.toContain('LOAD FAILED');
    expect(code).toBe(0);
  });

  it('starts without the secret once credentials are switched off', async () => {
    await switchCredentials(false);
    const { code, output } = await startWith(null);
    expect(output).not.toContain('LOAD FAILED');
    expect(code).toBe(0);
  });
});

describe('on every start', () => {
  it('creates the indexes a credential is read by (else every fetch scans every credential)', async () => {
    const table = app.strapi.db.metadata.get('plugin::achievements.credential').tableName;
    for (const name of ['ach_credentials_achievement_idx', 'ach_credentials_user_badge_idx'])
      expect([name, await indexExists(app.strapi, table, name)]).toEqual([name, true]);
  });
});
