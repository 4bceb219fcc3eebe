import { ACTIONS } from '../../common/constants';
import {
  registerMember,
  restrictedAdminToken,
  setupTestApp,
  superAdminToken,
} from './helpers/strapi';
import { drain, plugin, streakOf } from './support/achievements';

const app = setupTestApp();

/** The example academy's plugin config: the defaults of the engine options. */
const STREAK_DEFAULTS = {
  defaultTimezone: 'UTC',
  events: ['lesson.completed', 'module.completed', 'course.completed'],
  freezesPerMonth: 0,
};

/** Open Badges credentials are off until an admin switches them on (issue 14). */
const CREDENTIAL_DEFAULTS = {
  enabled: false,
  publicCredentials: false,
  host: '',
  issuer: { name: '', url: '', image: '', email: '' },
};

/** An erase revokes the member's credentials unless an admin turns it off (issue 15). */
const PRIVACY_DEFAULTS = { revokeCredentialsOnErase: true };
/** Email digests are off until an admin switches them on (issue 12). */
const NOTIFICATION_DEFAULTS = {
  email: false,
  frequency: 'daily',
  sendHour: 9,
  sendWeekday: 1,
  senderName: '',
  defaultLanguage: 'en',
};
/** Points per event the academy produces, the eight default levels, no role left out. */
const POINTS_DEFAULTS = {
  perEvent: {
    'lesson.completed': { points: 10, dailyCap: 50 },
    'module.completed': { points: 25 },
    'course.completed': { points: 100 },
    'post.published': { points: 5, dailyCap: 25 },
    'comment.helpful': { points: 15 },
  },
  levels: [
    { name: 'Novice', points: 0 },
    { name: 'Cadet', points: 100 },
    { name: 'Talent', points: 250 },
    { name: 'Expert', points: 500 },
    { name: 'Mentor', points: 1000 },
    { name: 'Champion', points: 2000 },
    { name: 'Maestro', points: 4000 },
    { name: 'Titan', points: 8000 },
  ],
  excludedRoles: [],
};

describe('plugin settings (admin API) and the public config route', () => {
  let admin: string;

  beforeAll(async () => {
    admin = await superAdminToken(app);
  });

  const storedSettings = () =>
    app.strapi.store({ type: 'plugin', name: 'achievements', key: 'settings' }).get({});

  it('serves the defaults before anything is saved', async () => {
    const res = await app.request().get('/api/achievements/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      enabled: false,
      card: { enabled: true, position: 'side', badgesToShow: 6 },
    });
  });

  it('refuses PUT /achievements/settings without a token (401)', async () => {
    const res = await app.request().put('/achievements/settings').send({ enabled: true });
    expect(res.status).toBe(401);
    expect(await storedSettings()).toBeNull();
  });

  it('refuses an admin whose role lacks the update action (403), but lets it read with read', async () => {
    const readOnly = await restrictedAdminToken(app, [ACTIONS.settingsRead]);
    const put = await app
      .request()
      .put('/achievements/settings')
      .set('Authorization', `Bearer ${readOnly}`)
      .send({ enabled: true });
    expect(put.status).toBe(403);
    const get = await app
      .request()
      .get('/achievements/settings')
      .set('Authorization', `Bearer ${readOnly}`);
    expect(get.status).toBe(200);
    expect(get.body.data.enabled).toBe(false);

    const none = await restrictedAdminToken(app, []);
    const denied = await app
      .request()
      .get('/achievements/settings')
      .set('Authorization', `Bearer ${none}`);
    expect(denied.status).toBe(403);
    expect(await storedSettings()).toBeNull();
  });

  it.each([
    [{ card: { badgesToShow: -1 } }, 'card.badgesToShow'],
    [{ card: { badgesToShow: 1.5 } }, 'card.badgesToShow'],
    [{ card: { badgesToShow: '6' } }, 'card.badgesToShow'],
    [{ card: { position: 'left' } }, 'card.position'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ enabled: true, colour: 'red' }, 'colour'],
    [{ card: { enabled: true, size: 3 } }, 'card.size'],
    [{ streaks: { defaultTimezone: 'Mars/Olympus' } }, 'streaks.defaultTimezone'],
    [{ streaks: { freezesPerMonth: 40 } }, 'streaks.freezesPerMonth'],
    [{ streaks: { events: 'lesson.completed' } }, 'streaks.events'],
    [{ streaks: { events: ['lesson.completed', 'video.skipped'] } }, 'streaks.events.1'],
    [{ privacy: { revokeCredentialsOnErase: 'no' } }, 'privacy.revokeCredentialsOnErase'],
    [{ privacy: { keepForever: true } }, 'privacy.keepForever'],
    [{ notifications: { email: 'on' } }, 'notifications.email'],
    [{ notifications: { frequency: 'hourly' } }, 'notifications.frequency'],
    [{ notifications: { sendHour: 24 } }, 'notifications.sendHour'],
    [{ notifications: { sendHour: 8.5 } }, 'notifications.sendHour'],
    [{ notifications: { sendWeekday: 0 } }, 'notifications.sendWeekday'],
    [{ notifications: { sendWeekday: 8 } }, 'notifications.sendWeekday'],
    [{ notifications: { sendWeekday: 'friday' } }, 'notifications.sendWeekday'],
    [{ notifications: { senderName: 'Academy\r\nBcc: x@y.z' } }, 'notifications.senderName'],
    [{ notifications: { defaultLanguage: 'de' } }, 'notifications.defaultLanguage'],
    [{ notifications: { weekday: 1 } }, 'notifications.weekday'],
    [{ points: { perEvent: { 'video.skipped': { points: 5 } } } }, 'points.perEvent.video.skipped'],
    [
      { points: { perEvent: { 'lesson.completed': { points: -5 } } } },
      'points.perEvent.lesson.completed.points',
    ],
    [
      {
        points: {
          levels: [
            { name: 'A', points: 0 },
            { name: 'B', points: 0 },
          ],
        },
      },
      'points.levels',
    ],
    [{ points: { levels: [{ name: 'A', points: 10 }] } }, 'points.levels'],
  ])('refuses %j with 400 naming %s, and stores nothing', async (body, field) => {
    const res = await app
      .request()
      .put('/achievements/settings')
      .set('Authorization', `Bearer ${admin}`)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
    expect(res.body.error.details.errors.map((e: { path: string }) => e.path)).toContain(field);
    expect(await storedSettings()).toBeNull();
  });

  it('saves a valid body, reflects it in /api/achievements/config, and keeps it across a restart', async () => {
    const res = await app
      .request()
      .put('/achievements/settings')
      .set('Authorization', `Bearer ${admin}`)
      .send({ enabled: true, card: { position: 'header', badgesToShow: 10 } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      enabled: true,
      card: { enabled: true, position: 'header', badgesToShow: 10 },
      streaks: STREAK_DEFAULTS,
      credentials: CREDENTIAL_DEFAULTS,
      privacy: PRIVACY_DEFAULTS,
      notifications: NOTIFICATION_DEFAULTS,
      points: POINTS_DEFAULTS,
    });

    const config = await app.request().get('/api/achievements/config');
    expect(config.body).toEqual({
      enabled: true,
      card: { enabled: true, position: 'header', badgesToShow: 10 },
    });

    await app.restart();

    const after = await app.request().get('/api/achievements/config');
    expect(after.status).toBe(200);
    expect(after.body).toEqual({
      enabled: true,
      card: { enabled: true, position: 'header', badgesToShow: 10 },
    });
    const adminView = await app
      .request()
      .get('/achievements/settings')
      .set('Authorization', `Bearer ${await superAdminToken(app)}`);
    expect(adminView.body.data.card.position).toBe('header');
  });

  it('engine options override the plugin config and reach the engine', async () => {
    const res = await app
      .request()
      .put('/achievements/settings')
      .set('Authorization', `Bearer ${await superAdminToken(app)}`)
      .send({ streaks: { defaultTimezone: 'Europe/Paris', freezesPerMonth: 2 } });
    expect(res.status).toBe(200);
    expect(res.body.data.streaks).toEqual({
      ...STREAK_DEFAULTS,
      defaultTimezone: 'Europe/Paris',
      freezesPerMonth: 2,
    });
    const options = await app.strapi.plugin('achievements').service('settings').streakOptions();
    expect(options).toMatchObject({ defaultTimezone: 'Europe/Paris', freezesPerMonth: 2 });
    const back = await app
      .request()
      .put('/achievements/settings')
      .set('Authorization', `Bearer ${await superAdminToken(app)}`)
      .send({ streaks: STREAK_DEFAULTS });
    expect(back.body.data.streaks).toEqual(STREAK_DEFAULTS);
  });

  it('an empty list of streak events means no streaks: a completion then leaves no streak', async () => {
    const admin = await superAdminToken(app);
    const put = (streaks: object) =>
      app.request().put('/achievements/settings').set('Authorization', `Bearer ${admin}`).send({
        streaks,
      });
    const res = await put({ events: [] });
    expect(res.status).toBe(200);
    expect(res.body.data.streaks.events).toEqual([]);
    const member = await registerMember(app);
    const completion = (key: string) =>
      plugin(app).service('events').record({
        type: 'lesson.completed',
        userId: member.user.id,
        key,
        subject: key,
      });
    await completion('no-streak-1');
    await drain(app);
    expect(await streakOf(app, member.user.id)).toBeNull();
    expect((await put({ events: STREAK_DEFAULTS.events })).status).toBe(200);
    await completion('no-streak-2');
    await drain(app);
    expect(await streakOf(app, member.user.id)).toMatchObject({ current: 1 });
  });

  it('a partial update keeps the other values', async () => {
    const res = await app
      .request()
      .put('/achievements/settings')
      .set('Authorization', `Bearer ${await superAdminToken(app)}`)
      .send({ card: { enabled: false } });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      enabled: true,
      card: { enabled: false, position: 'header', badgesToShow: 10 },
      streaks: STREAK_DEFAULTS,
      credentials: CREDENTIAL_DEFAULTS,
      privacy: PRIVACY_DEFAULTS,
      notifications: NOTIFICATION_DEFAULTS,
      points: POINTS_DEFAULTS,
    });
  });

  it('refuses to switch credentials on without ACHIEVEMENTS_CREDENTIALS_SECRET (400 naming it)', async () => {
    expect(process.env.ACHIEVEMENTS_CREDENTIALS_SECRET).toBeUndefined();
    for (const path of ['/achievements/settings', '/achievements/credentials/settings']) {
      const res = await app
        .request()
        .put(path)
        .set('Authorization', `Bearer ${await superAdminToken(app)}`)
        .send({ credentials: { enabled: true } });
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.error.message).toMatch(/ACHIEVEMENTS_CREDENTIALS_SECRET is not set/);
      expect(res.body.error.details.errors[0].path).toBe('credentials.enabled');
    }
    const bad = await app
      .request()
      .put('/achievements/settings')
      .set('Authorization', `Bearer ${await superAdminToken(app)}`)
      .send({ credentials: { host: 'https://x/y', issuer: { email: 'nope' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/credentials\.host/);
    expect(bad.body.error.message).toMatch(/credentials\.issuer\.email/);
    expect(((await storedSettings()) as any)?.credentials?.enabled ?? false).toBe(false);
  });
});
