import { streakStore } from '../../server/src/stores/streaks';
import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy, ok } from './support/academy';
import { drain, earnedSlugs, enableAchievements, plugin, streakOf } from './support/achievements';

/**
 * Streaks, asserted day by day, in each member's own timezone. Activity is recorded with the
 * instant it happened (as a video player would report it through the events API).
 */
const app = setupTestApp({ env: { ACHIEVEMENTS_FREEZES_PER_MONTH: '1' } });

let seq = 0;
const activity = async (member: Member, iso: string) => {
  seq += 1;
  await plugin(app)
    .service('events')
    .record({
      type: 'lesson.completed',
      userId: member.user.id,
      key: `tz-${seq}`,
      subject: `lesson-${seq}`,
      occurredAt: iso,
    });
  await drain(app);
  const s = (await streakOf(app, member.user.id))!;
  return { current: s.current, longest: s.longest, day: s.lastActiveDay };
};

/** Records an activity at `iso` and expects the whole streak it leaves. */
const expectStreak = async (
  member: Member,
  iso: string,
  expected: { current: number; longest: number; day: string }
) => expect(await activity(member, iso)).toEqual(expected);

/** Records an activity at `iso` and expects the current count and the local day it lands on. */
const expectDay = async (member: Member, iso: string, expected: { current: number; day: string }) =>
  expect(await activity(member, iso)).toMatchObject(expected);

const memberIn = async (timezone: string) => {
  const member = await registerMember(app);
  ok(await academy(app).updateProfile(member, { timezone }));
  return member;
};

describe('learning streaks in the member timezone', () => {
  beforeAll(() => enableAchievements(app));

  it('Pacific/Auckland: one UTC evening spans two local days', async () => {
    const m = await memberIn('Pacific/Auckland');
    // NZDT is UTC+13 in January.
    await expectStreak(m, '2026-01-05T10:30:00Z', { current: 1, longest: 1, day: '2026-01-05' });
    await expectStreak(m, '2026-01-05T11:30:00Z', { current: 2, longest: 2, day: '2026-01-06' });
    await expectStreak(m, '2026-01-05T12:30:00Z', { current: 2, longest: 2, day: '2026-01-06' });
    // 23:59 on 6 January, Auckland time: the same local day again.
    await expectStreak(m, '2026-01-06T10:59:00Z', { current: 2, longest: 2, day: '2026-01-06' });
    await expectStreak(m, '2026-01-06T11:00:00Z', { current: 3, longest: 3, day: '2026-01-07' });
  });

  it('Pacific/Auckland: 23:59 and 00:00 local are consecutive days', async () => {
    const m = await memberIn('Pacific/Auckland');
    await expectDay(m, '2026-02-10T10:59:00Z', { current: 1, day: '2026-02-10' });
    await expectDay(m, '2026-02-10T11:00:00Z', { current: 2, day: '2026-02-11' });
    // 12 February (local) is missed; this app allows one freeze a month, which covers it.
    await expectDay(m, '2026-02-12T11:00:00Z', { current: 3, day: '2026-02-13' });
  });

  it('America/Los_Angeles: around UTC midnight, days follow local time', async () => {
    const m = await memberIn('America/Los_Angeles');
    // PST is UTC-8: 07:30Z is 23:30 the day before, 08:30Z is 00:30.
    await expectStreak(m, '2026-01-06T07:30:00Z', { current: 1, longest: 1, day: '2026-01-05' });
    await expectStreak(m, '2026-01-06T08:30:00Z', { current: 2, longest: 2, day: '2026-01-06' });
    await expectStreak(m, '2026-01-07T07:59:00Z', { current: 2, longest: 2, day: '2026-01-06' });
    await expectStreak(m, '2026-01-07T08:00:00Z', { current: 3, longest: 3, day: '2026-01-07' });
  });

  it('Europe/Berlin across the March and October DST changes: one count per local day', async () => {
    const m = await memberIn('Europe/Berlin');
    // 29 March 2026: clocks go 02:00 → 03:00 (CET → CEST).
    await expectDay(m, '2026-03-27T23:30:00Z', { current: 1, day: '2026-03-28' }); // 00:30 CET
    await expectDay(m, '2026-03-28T22:30:00Z', { current: 1, day: '2026-03-28' }); // 23:30 CET
    await expectDay(m, '2026-03-28T23:30:00Z', { current: 2, day: '2026-03-29' }); // 00:30 CET
    await expectDay(m, '2026-03-29T21:30:00Z', { current: 2, day: '2026-03-29' }); // 23:30 CEST
    await expectDay(m, '2026-03-29T22:30:00Z', { current: 3, day: '2026-03-30' }); // 00:30 CEST
    // 25 October 2026: clocks go 03:00 → 02:00 (CEST → CET); that day has 25 hours.
    const o = await memberIn('Europe/Berlin');
    await expectDay(o, '2026-10-24T22:30:00Z', { current: 1, day: '2026-10-25' }); // 00:30 CEST
    await expectDay(o, '2026-10-25T00:30:00Z', { current: 1, day: '2026-10-25' }); // 02:30 CEST
    await expectDay(o, '2026-10-25T01:30:00Z', { current: 1, day: '2026-10-25' }); // 02:30 CET
    await expectDay(o, '2026-10-25T22:30:00Z', { current: 1, day: '2026-10-25' }); // 23:30 CET
    await expectDay(o, '2026-10-25T23:30:00Z', { current: 2, day: '2026-10-26' }); // 00:30 CET
  });

  it('a timezone change mid-streak neither breaks it nor counts a day twice', async () => {
    const m = await memberIn('America/Los_Angeles');
    await expectDay(m, '2026-01-10T04:00:00Z', { current: 1, day: '2026-01-09' }); // 20:00 PST
    await expectDay(m, '2026-01-11T04:00:00Z', { current: 2, day: '2026-01-10' });
    // Flies to Auckland (21 hours ahead): the next evening there is already 12 January.
    ok(await academy(app).updateProfile(m, { timezone: 'Pacific/Auckland' }));
    await expectDay(m, '2026-01-12T05:00:00Z', { current: 3, day: '2026-01-12' }); // 18:00 NZDT
    // Another activity the same Auckland day does not count again.
    await expectDay(m, '2026-01-12T08:00:00Z', { current: 3, day: '2026-01-12' });
    // And back west: LA's 12 January evening is the next day of learning, not a break.
    ok(await academy(app).updateProfile(m, { timezone: 'America/Los_Angeles' }));
    await expectDay(m, '2026-01-13T04:00:00Z', { current: 3, day: '2026-01-12' });
    await expectDay(m, '2026-01-14T04:00:00Z', { current: 4, day: '2026-01-13' });
  });

  it('a recalculation after a timezone change keeps the streak and the badge it earned', async () => {
    const m = await memberIn('UTC');
    await expectDay(m, '2026-08-01T23:00:00Z', { current: 1, day: '2026-08-01' });
    await expectDay(m, '2026-08-02T01:00:00Z', { current: 2, day: '2026-08-02' });
    await expectDay(m, '2026-08-03T01:00:00Z', { current: 3, day: '2026-08-03' });
    expect(await earnedSlugs(app, m.user.id)).toContain('streak-3');
    // Moves to Tokyo: in UTC+9 the first two lessons fall on one day (2 August). A recalculation
    // keeps the stored streak (counted in the zones of the time) and what it earned; only a
    // member with no streak row at all is replayed, in the current zone.
    ok(await academy(app).updateProfile(m, { timezone: 'Asia/Tokyo' }));
    const run = await plugin(app).service('recalculation').run({ notify: false });
    expect(run).toMatchObject({ status: 'done', error: null });
    expect(await earnedSlugs(app, m.user.id)).toContain('streak-3');
    expect(await streakOf(app, m.user.id)).toMatchObject({ current: 3, longest: 3 });
  });

  it('a freeze (one per month here) covers one missed day; two missed days break the streak', async () => {
    const m = await memberIn('UTC');
    expect(await activity(m, '2026-05-01T09:00:00Z')).toMatchObject({ current: 1 });
    expect(await activity(m, '2026-05-02T09:00:00Z')).toMatchObject({ current: 2 });
    expect(await activity(m, '2026-05-03T09:00:00Z')).toMatchObject({ current: 3 });
    // 4 May missed: the month's freeze is used automatically.
    expect(await activity(m, '2026-05-05T09:00:00Z')).toMatchObject({ current: 4, longest: 4 });
    const s = await streakOf(app, m.user.id);
    expect(s).toMatchObject({ freezesUsed: 1, freezesMonth: '2026-05' });
    // 6 May missed and no freeze left in May: broken.
    expect(await activity(m, '2026-05-07T09:00:00Z')).toMatchObject({ current: 1, longest: 4 });
    // A new month brings a new freeze.
    expect(await activity(m, '2026-05-31T09:00:00Z')).toMatchObject({ current: 1 });
    expect(await activity(m, '2026-06-02T09:00:00Z')).toMatchObject({ current: 2, longest: 4 });
  });
  it('a batch streak write is refused, and writes nothing, when the row changed since it was read', async () => {
    // The streak store's versioned batch write, which live evaluation writes streaks with.
    const streaks = streakStore(app.strapi);
    /** The stored row, with its version, as the batch path reads it. */
    const rowOf = (userId: number) =>
      streaks.of([userId]).then((rows: Map<number, any>) => rows.get(userId));
    const m = await memberIn('UTC');
    await activity(m, '2026-07-01T09:00:00Z');
    const read = await rowOf(m.user.id);
    // Another writer applies 2 July in between.
    await activity(m, '2026-07-02T09:00:00Z');
    const stored = await rowOf(m.user.id);
    expect(stored.version).toBe(read.version + 1);
    // What was computed from the stale row (1 July, then 3 July: broken) must not land.
    const stale = {
      ...read,
      current: 1,
      longest: 1,
      lastActiveAt: Date.parse('2026-07-03T09:00:00Z'),
      lastActiveDay: '2026-07-03',
    };
    const other = await memberIn('UTC');
    const fresh = { ...stale, current: 1, longest: 1 };
    const refused = await streaks.saveMany([
      { userId: m.user.id, state: stale, version: read.version },
      // A member with no row yet is written; one whose row was created meanwhile is not.
      { userId: other.user.id, state: fresh, version: 0 },
    ]);
    expect([...refused]).toEqual([m.user.id]);
    expect(await rowOf(m.user.id)).toEqual(stored);
    const created = await rowOf(other.user.id);
    expect(created).toMatchObject({ current: 1, lastActiveDay: '2026-07-03', version: 1 });
    const again = await streaks.saveMany([
      { userId: other.user.id, state: { ...fresh, current: 5 }, version: 0 },
    ]);
    expect([...again]).toEqual([other.user.id]);
    expect(await streakOf(app, other.user.id)).toMatchObject({ current: 1 });
    // From the row as it is now, the write lands and the version moves on.
    const next = {
      ...stored,
      current: 3,
      longest: 3,
      lastActiveAt: Date.parse('2026-07-03T09:00:00Z'),
      lastActiveDay: '2026-07-03',
    };
    expect([
      ...(await streaks.saveMany([{ userId: m.user.id, state: next, version: stored.version }])),
    ]).toEqual([]);
    expect(await rowOf(m.user.id)).toMatchObject({
      current: 3,
      lastActiveDay: '2026-07-03',
      version: stored.version + 1,
    });
  });
});
