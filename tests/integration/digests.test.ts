import { localHourInstant } from '../../engine/digest-schedule';
import { localDayNumber } from '../../engine/streak';
import digestsService from '../../server/src/services/digests';
import { digestStore } from '../../server/src/stores/digests';
import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { badgeBySlug, enableAchievements, plugin } from './support/achievements';
import { expectDocumented } from './support/openapi';
import { startSmtpServer } from './support/smtp';

/**
 * Email digests against a real SMTP server the test starts (npm `smtp-server`): the academy's
 * email plugin (nodemailer provider) sends to it, and the tests read what crossed the wire.
 * Time is driven through `digests.tick(now)`; the scheduler's own timer is stopped. Runs on
 * SQLite, PostgreSQL and MariaDB.
 */
const smtpEnv: Record<string, string> = {};
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  smtpEnv.SMTP_PORT = String(smtp.port);
  smtpEnv.SMTP_HOST = '127.0.0.1';
  smtpEnv.PUBLIC_URL = 'https://academy.example';
});
afterAll(() => smtp?.close());
const app = setupTestApp({ env: smtpEnv });

const digests = () => plugin(app).service('digests');
const settings = (notifications: Record<string, unknown>) =>
  plugin(app).service('settings').update({ notifications });
const bearer = (m: Member) => ({ Authorization: `Bearer ${m.jwt}` });
const HOUR = 3_600_000;

const memberIn = async (timezone: string) => {
  const m = await registerMember(app);
  await app.strapi.db
    .query('plugin::users-permissions.user')
    .update({ where: { id: m.user.id }, data: { timezone } });
  return m;
};

const award = async (m: Member, slugs: string[]) => {
  for (const slug of slugs) {
    const badge = await badgeBySlug(app, slug);
    await plugin(app).service('admin').award(m.user.id, badge.id, { adminId: 1 });
  }
};

/** The next instant after `after` when the member's clock reads hour:00, and the hour before. */
const nextLocal = (after: number, timezone: string, hour: number) => {
  let day = localDayNumber(after, timezone);
  if (localHourInstant(day, hour, timezone) <= after) day += 1;
  return {
    at: new Date(localHourInstant(day, hour, timezone)),
    hourBefore: new Date(localHourInstant(day, hour - 1, timezone)),
  };
};

const THREE = ['first-post', 'commenter', 'helpful'];

describe('email digests', () => {
  beforeAll(async () => {
    await enableAchievements(app);
    // Time is the tests' to drive.
    await digests().stop();
  });

  it('sends nothing while email is off (the default), and nothing to a member who turned it off', async () => {
    const stored = await plugin(app).service('settings').get();
    expect(stored.notifications).toMatchObject({ email: false, frequency: 'daily', sendHour: 9 });
    const member = await memberIn('UTC');
    await award(member, ['first-post']);
    const later = new Date(Date.now() + 2 * 24 * HOUR);
    expect(await digests().tick(later)).toEqual({ planned: 0, sent: 0 });

    await settings({ email: true, frequency: 'immediately' });
    const quiet = await memberIn('UTC');
    const off = expectDocumented(
      'PUT',
      '/api/achievements/me/preferences',
      await app
        .request()
        .put('/api/achievements/me/preferences')
        .set(bearer(quiet))
        .send({ email: false })
    );
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ email: false, language: null });
    await award(quiet, ['first-post']);
    await digests().tick(new Date(Date.now() + 1000));
    expect(smtp.to(quiet.user.email)).toHaveLength(0);
    await settings({ email: false, frequency: 'daily' });
  });

  it('refuses bad preferences and settings with a 400 naming the field', async () => {
    const member = await registerMember(app);
    const bad = await app
      .request()
      .put('/api/achievements/me/preferences')
      .set(bearer(member))
      .send({ email: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.errors[0].path).toBe('email');
    const lang = await app
      .request()
      .put('/api/achievements/me/preferences')
      .set(bearer(member))
      .send({ language: 'de' });
    expect(lang.status).toBe(400);
    expect(lang.body.error.message).toMatch(/language/);
    const anonymous = await app.request().put('/api/achievements/me/preferences').send({});
    expect([401, 403]).toContain(anonymous.status);
    await expect(settings({ sendHour: 24 })).rejects.toThrow(/notifications\.sendHour/);
    await expect(settings({ frequency: 'hourly' })).rejects.toThrow(/notifications\.frequency/);
  });

  it('a daily digest at the member’s 09:00 groups three badges in one email (Auckland, Los Angeles)', async () => {
    await settings({ email: true, frequency: 'daily', sendHour: 9, senderName: 'LMS Academy' });
    const auckland = await memberIn('Pacific/Auckland');
    const losAngeles = await memberIn('America/Los_Angeles');
    const fr = await app
      .request()
      .put('/api/achievements/me/preferences')
      .set(bearer(losAngeles))
      .send({ language: 'fr' });
    expect(fr.body).toEqual({ email: true, language: 'fr' });
    await award(auckland, THREE);
    await award(losAngeles, THREE);
    const names = await Promise.all(THREE.map(async (s) => (await badgeBySlug(app, s)).name));
    const written = Date.now();

    // In the order their 09:00 comes: at a later tick, an earlier slot is due too.
    const cases = (
      [
        [auckland, 'Pacific/Auckland', 'Your achievements: 3 updates'],
        [losAngeles, 'America/Los_Angeles', 'Vos succès : 3 nouveautés'],
      ] as const
    )
      .map(([member, timezone, subject]) => ({
        member,
        subject,
        nine: nextLocal(written, timezone, 9),
      }))
      .sort((a, b) => a.nine.at.getTime() - b.nine.at.getTime());
    for (const { member, subject, nine } of cases) {
      await digests().tick(nine.hourBefore);
      expect(smtp.to(member.user.email)).toHaveLength(0);
      await digests().tick(nine.at);
      const mails = smtp.to(member.user.email);
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(mail.parsed.subject).toBe(subject);
      expect(mail.parsed.from?.text).toBe('"LMS Academy" <academy@localhost>');
      for (const name of names) expect(mail.parsed.html).toContain(name);
      // Artwork as absolute URLs on Strapi's public URL.
      const images = [...String(mail.parsed.html).matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]);
      expect(images).toHaveLength(3);
      for (const src of images) expect(src).toMatch(/^https:\/\/academy\.example\/uploads\//);
      expect(mail.header('list-unsubscribe')).toMatch(
        /^<https:\/\/academy\.example\/api\/achievements\/unsubscribe\?token=[\w-]+\.[\w-]+>$/
      );
      expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.parsed.messageId).toMatch(/^<digest-[a-z0-9]+@academy\.example>$/);
    }
    // Carried once: the next day brings nothing new.
    await digests().tick(new Date(cases[1].nine.at.getTime() + 24 * HOUR));
    for (const { member } of cases) expect(smtp.to(member.user.email)).toHaveLength(1);
  });

  it('the unsubscribe link works once and stops later emails', async () => {
    await settings({ email: true, frequency: 'immediately' });
    const member = await memberIn('Europe/Paris');
    await award(member, ['first-post']);
    await digests().tick(new Date(Date.now() + 1000));
    const [mail] = smtp.to(member.user.email);
    const url = new URL(mail.header('list-unsubscribe')!.slice(1, -1));
    const path = `${url.pathname}${url.search}`;

    const page = await app.request().get(path);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('<form method="post"');
    // A GET changes nothing (mail scanners follow links).
    const still = await app.request().get('/api/achievements/me').set(bearer(member));
    expect(still.body.preferences).toMatchObject({ email: true });

    const tampered = path.replace(/token=(.)/, (_m, c) => `token=${c === 'A' ? 'B' : 'A'}`);
    expect(
      (await app.request().post(tampered).type('form').send('List-Unsubscribe=One-Click')).status
    ).toBe(400);
    const missing = await app.request().post('/api/achievements/unsubscribe');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/token/);

    const once = await app.request().post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(once.status).toBe(200);
    expect(once.text).toContain('You are unsubscribed');
    const twice = await app.request().post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(twice.status).toBe(410);
    expect(twice.text).toContain('already used');
    expect((await app.request().get(path)).status).toBe(410);

    const me = await app.request().get('/api/achievements/me').set(bearer(member));
    expect(me.body.preferences).toMatchObject({ email: false });
    await award(member, ['commenter']);
    await digests().tick(new Date(Date.now() + 2000));
    expect(smtp.to(member.user.email)).toHaveLength(1);
  });

  it('an SMTP server that refuses the first attempt still gets exactly one email', async () => {
    await settings({ email: true, frequency: 'immediately' });
    const member = await memberIn('UTC');
    await award(member, ['first-post', 'commenter']);
    const now = Date.now() + 1000;
    const before = smtp.attempts();
    smtp.refuse(1);
    expect(await digests().tick(new Date(now))).toMatchObject({ planned: 1, sent: 0 });
    expect(smtp.attempts()).toBe(before + 1);
    // Backoff: not again within the first minute.
    expect((await digests().tick(new Date(now + 30_000))).sent).toBe(0);
    expect((await digests().tick(new Date(now + 61_000))).sent).toBe(1);
    expect((await digests().tick(new Date(now + 10 * 60_000))).sent).toBe(0);
    const mails = smtp.to(member.user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0].parsed.subject).toBe('Your achievements: 2 updates');
  });

  it('a process that crashed holding a digest is taken over after its lease, with the same Message-ID', async () => {
    await settings({ email: true, frequency: 'immediately' });
    const member = await memberIn('UTC');
    await award(member, ['first-post']);
    const now = new Date(Date.now() + 1000);
    expect(await digests().plan(now)).toBe(1);
    const [held] = await digestStore(app.strapi)
      .claimDue(now, {
        leaseMs: 600_000,
        token: 'crashed-process',
        limit: 50,
      })
      .then((rows) => rows.filter((d) => d.userId === member.user.id));
    expect(held).toBeDefined();
    expect((await digests().tick(new Date(now.getTime() + 60_000))).sent).toBe(0);
    expect((await digests().tick(new Date(now.getTime() + 11 * 60_000))).sent).toBe(1);
    const [mail] = smtp.to(member.user.email);
    expect(mail.parsed.messageId).toBe(digests().messageIdOf(held.documentId));
  });

  it('two schedulers (as two processes) send one email per member', async () => {
    await settings({ email: true, frequency: 'immediately' });
    const members = await Promise.all(Array.from({ length: 5 }, () => memberIn('UTC')));
    for (const m of members) await award(m, ['first-post', 'commenter']);
    const other = digestsService({ strapi: app.strapi });
    const now = new Date(Date.now() + 1000);
    const results = await Promise.all([
      digests().tick(now),
      other.tick(now),
      digests().tick(new Date(now.getTime() + 1)),
      other.tick(new Date(now.getTime() + 2)),
    ]);
    expect(results.reduce((n, r) => n + r.planned, 0)).toBe(5);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(5);
    for (const m of members) expect(smtp.to(m.user.email)).toHaveLength(1);
  });
});
