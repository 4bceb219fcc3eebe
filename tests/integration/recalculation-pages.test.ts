import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy, ok } from './support/academy';
import { drain, enableAchievements, plugin } from './support/achievements';

/**
 * A recalculation evaluates members a page at a time (evaluator.recalculate): one ordered
 * ledger read by id range for a page of members, writes in a few multi-row statements in one
 * transaction. A page must decide exactly what the same path decides for each member as a batch
 * of one (as a manual re-evaluation reads it): the same achievements with the same
 * earnedAt, sequence and source, the same revocations, progress and replayed streaks. Both are
 * run from the same starting state over a varied ledger (every event type of the academy,
 * retractions, distinct actors, profile changes, days with gaps and freezes, out-of-order facts,
 * members in several timezones, repeatable / auto-revoked / windowed / filtered badges) and the
 * resulting tables are compared.
 */
const app = setupTestApp({ env: { ACHIEVEMENTS_FREEZES_PER_MONTH: '1' } });

const ACH = 'plugin::achievements.achievement';
const PROGRESS = 'plugin::achievements.progress';
const STREAK = 'plugin::achievements.streak';
const TABLES = [ACH, PROGRESS, STREAK];

const tableName = (uid: string) => app.strapi.db.metadata.get(uid as any).tableName;
const knex = () => app.strapi.db.connection;
const colOf = (uid: string, attr: string): string =>
  (app.strapi.db.metadata.get(uid as any).attributes as any)[attr].columnName ?? attr;
const ms = (v: unknown) => (v === null || v === undefined ? null : new Date(v as any).getTime());
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : (v ?? null));

/** What the recalculation decides, without ids, documentIds and bookkeeping timestamps. */
const snapshot = async () => {
  const q = (uid: string) => app.strapi.db.query(uid as any).findMany({});
  const achievements = (await q(ACH)).map((r: any) => ({
    userId: r.userId,
    badgeId: r.badgeId,
    sequence: r.sequence,
    earnedAt: ms(r.earnedAt),
    sourceEvent: r.sourceEvent,
    evidence: json(r.evidence),
    revoked: r.revokedAt !== null,
    revokeReason: r.revokeReason,
    revokedBy: r.revokedBy,
    awardedBy: r.awardedBy,
  }));
  const progress = (await q(PROGRESS)).map((r: any) => ({
    userId: r.userId,
    badgeId: r.badgeId,
    current: r.current,
    target: r.target,
  }));
  const streaks = (await q(STREAK)).map((r: any) => ({
    userId: r.userId,
    current: r.current,
    longest: r.longest,
    lastActiveAt: ms(r.lastActiveAt),
    lastActiveDay: r.lastActiveDay,
    timezone: r.timezone,
    freezesUsed: r.freezesUsed,
    freezesMonth: r.freezesMonth,
  }));
  const key = (o: any) => JSON.stringify([o.userId, o.badgeId ?? 0, o.sequence ?? 0]);
  const sort = <T>(list: T[]) => list.sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return { achievements: sort(achievements), progress: sort(progress), streaks: sort(streaks) };
};

/** The raw rows of the three tables (to start both paths from the same state). */
const saveState = async () => {
  const out: Record<string, any[]> = {};
  for (const uid of TABLES) out[uid] = await knex()(tableName(uid)).select('*');
  return out;
};
const restoreState = async (state: Record<string, any[]>) => {
  for (const uid of TABLES) {
    await knex()(tableName(uid)).del();
    const rows = state[uid].map(({ id: _id, ...rest }) => rest);
    for (let i = 0; i < rows.length; i += 100)
      await knex()(tableName(uid)).insert(rows.slice(i, i + 100));
  }
};

let members: Member[] = [];
let ids: number[] = [];

/** A deterministic pseudo-random ledger, recorded through the events service. */
const buildLedger = async () => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const events = plugin(app).service('events');
  const base = Date.UTC(2026, 0, 3, 8, 0, 0);
  for (const [i, m] of members.entries()) {
    const userId = m.user.id;
    let day = 0;
    const count = 40 + i * 9;
    for (let k = 0; k < count; k += 1) {
      day += [0, 0, 1, 1, 1, 2, 3, 5][rand(8)];
      // Some facts arrive late, dated before ones already recorded.
      const late = rand(10) === 0 ? -2 : 0;
      const occurredAt = base + (day + late) * 86_400_000 + rand(1440) * 60_000 + i * 3_600_000;
      const other = ids[(i + 1 + rand(ids.length - 1)) % ids.length];
      const kind = rand(12);
      const event: Record<string, any> = { userId, key: `bulk-${i}-${k}`, occurredAt };
      if (kind <= 2) Object.assign(event, { type: 'lesson.completed', subject: `l-${rand(15)}` });
      else if (kind === 3)
        Object.assign(event, { type: 'module.completed', subject: `m-${rand(4)}` });
      else if (kind === 4)
        Object.assign(event, { type: 'course.completed', subject: `c-${rand(2)}` });
      else if (kind === 5)
        Object.assign(event, { type: 'post.published', subject: `p-${rand(5)}` });
      else if (kind === 6)
        Object.assign(event, { type: 'post.retracted', subject: `p-${rand(5)}` });
      else if (kind === 7)
        Object.assign(event, { type: 'comment.created', data: { post: `p-${rand(3)}` } });
      else if (kind === 8) Object.assign(event, { type: 'comment.helpful', subject: `cm-${k}` });
      else if (kind === 9)
        Object.assign(event, {
          type: rand(4) === 0 ? 'reaction.withdrawn' : 'reaction.received',
          actorId: other,
          subject: `r-${rand(6)}`,
          data: { kind: 'like' },
        });
      else if (kind === 10)
        Object.assign(event, {
          type: 'profile.updated',
          subject: m.user.documentId,
          data: { fields: { avatar: rand(2) === 0, bio: rand(2) === 0, socialLinks: rand(3) > 0 } },
        });
      else Object.assign(event, { type: 'lesson.watched', subject: `l-${rand(15)}` });
      await events.record(event as any);
    }
  }
  await drain(app);
};

/** Runs `run` from `state`, returns what it decided and the webhooks it sent. */
const outcomeOf = async (state: Record<string, any[]>, run: () => Promise<number>) => {
  await restoreState(state);
  const sent: string[] = [];
  const emit = app.strapi.eventHub.emit.bind(app.strapi.eventHub);
  const spy = jest.spyOn(app.strapi.eventHub, 'emit').mockImplementation((name: any, p: any) => {
    if (String(name).startsWith('achievement.'))
      sent.push(
        `${name}:${p.achievement.user.id}:${p.achievement.badge.id}:${p.achievement.sequence}`
      );
    return emit(name, p);
  });
  try {
    const earned = await run();
    return { earned, sent: sent.sort(), ...(await snapshot()) };
  } finally {
    spy.mockRestore();
  }
};

const viaEngine =
  (opts: { only?: any[]; notify?: boolean } = {}) =>
  async () => {
    let earned = 0;
    for (const id of ids)
      earned += (await plugin(app).service('evaluator').recalculate([id], opts)).earned;
    return earned;
  };
const viaBulk =
  (opts: { only?: any[]; notify?: boolean } = {}, page = ids.length) =>
  async () => {
    let earned = 0;
    for (let i = 0; i < ids.length; i += page)
      earned += (
        await plugin(app)
          .service('evaluator')
          .recalculate(ids.slice(i, i + page), opts)
      ).earned;
    return earned;
  };

describe('a recalculation page decides what batches of one decide', () => {
  beforeAll(async () => {
    await enableAchievements(app);
    const badges = app.strapi.documents('plugin::achievements.badge' as any) as any;
    const extra = [
      { slug: 'bulk-repeat', criteria: { type: 'count', event: 'comment.created', threshold: 3 } },
      {
        slug: 'bulk-autorevoke',
        criteria: { type: 'count', event: 'post.published', threshold: 2 },
        autoRevoke: true,
      },
      {
        slug: 'bulk-window',
        criteria: { type: 'count', event: 'lesson.completed', threshold: 4, withinDays: 7 },
      },
      {
        slug: 'bulk-where',
        criteria: { type: 'count', event: 'comment.created', threshold: 2, where: { post: 'p-1' } },
      },
      {
        slug: 'bulk-reactions',
        criteria: { type: 'count', event: 'reaction.received', threshold: 2, distinct: 'actor' },
        autoRevoke: true,
      },
    ];
    for (const [i, b] of extra.entries())
      await badges.create({
        data: {
          name: `Bulk ${i}`,
          tier: 'bronze',
          points: 400,
          enabled: true,
          ...b,
          ...(b.slug === 'bulk-repeat' ? { repeatable: true, maxRepeats: 4 } : {}),
        },
        status: 'published',
      });
    plugin(app).service('catalog').invalidate();
    const zones = ['Pacific/Auckland', 'America/Los_Angeles', null, 'Asia/Kolkata', null, 'Nope/X'];
    members = [];
    for (const zone of zones) {
      const m = await registerMember(app);
      if (zone === 'Nope/X')
        // A junk timezone stored by other means: both paths fall back to the default.
        await app.strapi.db
          .query('plugin::users-permissions.user')
          .update({ where: { id: m.user.id }, data: { timezone: zone } });
      else if (zone) ok(await academy(app).updateProfile(m, { timezone: zone }));
      members.push(m);
    }
    ids = members.map((m) => m.user.id).sort((a, b) => a - b);
    await buildLedger();
  });

  it('from nothing held (a first backfill), notify on and off, in pages of any size', async () => {
    await restoreState({ [ACH]: [], [PROGRESS]: [], [STREAK]: [] });
    const empty = await saveState();
    const engine = await outcomeOf(empty, viaEngine());
    expect(engine.achievements.length).toBeGreaterThan(20);
    expect(engine.achievements.some((a) => a.sequence > 1)).toBe(true);
    expect(engine.streaks.length).toBe(ids.length);
    expect(engine.sent).toEqual([]);
    expect(await outcomeOf(empty, viaBulk())).toEqual(engine);
    expect(await outcomeOf(empty, viaBulk({}, 4))).toEqual(engine);

    const notified = await outcomeOf(empty, viaEngine({ notify: true }));
    expect(notified.sent.length).toBe(notified.earned);
    expect(await outcomeOf(empty, viaBulk({ notify: true }))).toEqual(notified);
  });

  it('over what members hold already: admin revocations, revoked, missing and extra rows', async () => {
    await outcomeOf(await saveState(), viaBulk());
    const a = tableName(ACH);
    const rows = await knex()(a).select('*').orderBy('id');
    const col = (attr: string) => colOf(ACH, attr);
    const of = (userId: number) => rows.filter((r: any) => r[col('userId')] === userId);
    // An admin revoked one; the system revoked another; one was never written.
    await knex()(a)
      .where('id', of(ids[0])[0].id)
      .update({ [col('revokedAt')]: new Date(), [col('revokedBy')]: 'admin:1' });
    await knex()(a)
      .where('id', of(ids[1])[0].id)
      .update({ [col('revokedAt')]: new Date(), [col('revokedBy')]: 'system' });
    await knex()(a).where('id', of(ids[2])[0].id).del();
    // Held without the criteria being met any more (auto-revoked badges are taken back).
    const autoRevoke = await app.strapi.db
      .query('plugin::achievements.badge')
      .findOne({ where: { slug: 'bulk-reactions' } });
    await knex()(a).where(col('badgeId'), autoRevoke.id).del();
    for (const userId of ids.slice(3))
      await knex()(a).insert({
        [col('documentId')]: `bulk-held-${userId}`,
        [col('userId')]: userId,
        [col('badgeId')]: autoRevoke.id,
        [col('sequence')]: 1,
        [col('earnedAt')]: new Date('2026-01-01T00:00:00Z'),
        [col('awardedBy')]: 'system',
      });
    await knex()(tableName(PROGRESS)).where(colOf(PROGRESS, 'userId'), ids[3]).del();
    await knex()(tableName(STREAK)).where(colOf(STREAK, 'userId'), ids[4]).del();
    const held = await saveState();

    const engine = await outcomeOf(held, viaEngine());
    expect(engine.achievements.some((x) => x.revokedBy === 'admin:1')).toBe(true);
    // Extra rows the criteria do not support were taken back by the recalculation.
    expect(engine.achievements.some((x) => x.revoked && x.revokedBy === 'system')).toBe(true);
    expect(await outcomeOf(held, viaBulk())).toEqual(engine);
    const notified = await outcomeOf(held, viaEngine({ notify: true }));
    expect(await outcomeOf(held, viaBulk({ notify: true }, 2))).toEqual(notified);
  });

  it('with a badges filter', async () => {
    await restoreState({ [ACH]: [], [PROGRESS]: [], [STREAK]: [] });
    const empty = await saveState();
    const catalog = await plugin(app).service('catalog').get();
    const only = catalog.defs.filter((b: any) =>
      ['bulk-repeat', 'five-badges', 'streak-3', 'first-post', 'bulk-window'].includes(b.slug)
    );
    const engine = await outcomeOf(empty, viaEngine({ only }));
    expect(engine.achievements.length).toBeGreaterThan(0);
    expect(await outcomeOf(empty, viaBulk({ only }))).toEqual(engine);
  });
});
