// P2 — the pure engine: Tally.apply + decide() over a 50-badge catalog of mixed criteria.
// No Strapi, no database: events/s of the code every live event runs through.
import { loadEngine } from './lib/engine-build.mjs';
import { median, p99, round, scaled, ms, now } from './lib/stats.mjs';

const E = loadEngine();
const RETRACTIONS = {
  'post.retracted': 'post.published',
  'reaction.withdrawn': 'reaction.received',
};
const TYPES = [
  ['lesson.completed', 40],
  ['module.completed', 6],
  ['course.completed', 2],
  ['post.published', 6],
  ['post.retracted', 1],
  ['comment.created', 15],
  ['comment.helpful', 4],
  ['reaction.received', 16],
  ['reaction.withdrawn', 2],
  ['profile.updated', 3],
  ['lesson.watched', 5],
];

/** 50 badges: counts (plain, distinct subject/actor/day, where, windows, lists of events),
 * profile, streak, meta (badges, points), all/any groups, repeatable and auto-revoke ones. */
export const catalog50 = () => {
  const raw = [];
  const add = (slug, category, points, criteria, extra = {}) =>
    raw.push({ slug, category, points, criteria, ...extra });
  for (const n of [1, 5, 10, 25, 50, 100])
    add(`lessons-${n}`, 'courses', n, {
      type: 'count',
      event: 'lesson.completed',
      threshold: n,
      distinct: 'subject',
    });
  for (const n of [1, 3, 10])
    add(`modules-${n}`, 'courses', 10 * n, {
      type: 'count',
      event: 'module.completed',
      threshold: n,
      distinct: 'subject',
    });
  for (const n of [1, 3])
    add(`courses-${n}`, 'courses', 50 * n, {
      type: 'count',
      event: 'course.completed',
      threshold: n,
      distinct: 'subject',
    });
  for (const d of [3, 7, 30]) add(`streak-${d}`, 'courses', d, { type: 'streak', days: d });
  for (const n of [1, 5, 20])
    add(
      `posts-${n}`,
      'community',
      5 * n,
      { type: 'count', event: 'post.published', threshold: n },
      { autoRevoke: true }
    );
  for (const n of [1, 10, 50])
    add(`comments-${n}`, 'community', n, { type: 'count', event: 'comment.created', threshold: n });
  for (const n of [1, 5])
    add(`helpful-${n}`, 'community', 10 * n, {
      type: 'count',
      event: 'comment.helpful',
      threshold: n,
    });
  for (const n of [10, 50])
    add(
      `reactions-${n}`,
      'community',
      n,
      { type: 'count', event: 'reaction.received', threshold: n, distinct: 'actor' },
      { autoRevoke: true }
    );
  add('hearts-5', 'community', 5, {
    type: 'count',
    event: 'reaction.received',
    threshold: 5,
    where: { kind: 'heart' },
  });
  for (const n of [5, 20])
    add(`watched-${n}`, 'courses', n, { type: 'count', event: 'lesson.watched', threshold: n });
  add('active-10-days', 'engagement', 20, {
    type: 'count',
    event: ['lesson.completed', 'comment.created', 'post.published'],
    threshold: 10,
    distinct: 'day',
  });
  add('active-30-days', 'engagement', 50, {
    type: 'count',
    event: ['lesson.completed', 'comment.created'],
    threshold: 30,
    distinct: 'day',
  });
  add('busy-week', 'engagement', 15, {
    type: 'count',
    event: 'lesson.completed',
    threshold: 5,
    withinDays: 7,
  });
  add('busy-month', 'engagement', 25, {
    type: 'count',
    event: ['comment.created', 'post.published'],
    threshold: 10,
    withinDays: 30,
    distinct: 'day',
  });
  add(
    'lesson-every-10',
    'courses',
    1,
    { type: 'count', event: 'lesson.completed', threshold: 10 },
    { repeatable: true, maxRepeats: null }
  );
  add(
    'comment-every-25',
    'community',
    1,
    { type: 'count', event: 'comment.created', threshold: 25 },
    { repeatable: true, maxRepeats: 5 }
  );
  add('avatar', 'profile', 5, { type: 'profile', fields: ['avatar'] });
  add('bio', 'profile', 5, { type: 'profile', fields: ['bio'] });
  add('social', 'profile', 5, { type: 'profile', fields: ['socialLinks'] });
  add('profile-complete', 'profile', 10, {
    type: 'profile',
    fields: ['avatar', 'bio', 'socialLinks'],
  });
  add('scholar', 'courses', 30, {
    type: 'all',
    of: [
      { type: 'count', event: 'lesson.completed', threshold: 20, distinct: 'subject' },
      { type: 'streak', days: 3 },
    ],
  });
  add('voice', 'community', 30, {
    type: 'any',
    of: [
      { type: 'count', event: 'post.published', threshold: 10 },
      { type: 'count', event: 'comment.created', threshold: 30 },
    ],
  });
  add('mentor', 'community', 40, {
    type: 'all',
    of: [
      { type: 'count', event: 'comment.helpful', threshold: 3 },
      {
        type: 'any',
        of: [
          { type: 'count', event: 'reaction.received', threshold: 20, distinct: 'actor' },
          { type: 'profile', fields: ['bio'] },
        ],
      },
    ],
  });
  add('badges-5', 'engagement', 20, { type: 'badges', count: 5 });
  add('badges-15', 'engagement', 50, { type: 'badges', count: 15 });
  add('courses-all', 'engagement', 100, { type: 'badges', category: 'courses' }, { secret: true });
  add('community-5', 'engagement', 30, { type: 'badges', count: 5, category: 'community' });
  add('points-100', 'engagement', 0, { type: 'points', threshold: 100 });
  add('points-1000', 'engagement', 0, { type: 'points', threshold: 1000 });
  add('manual-hero', 'engagement', 0, { type: 'manual' });
  add('first-heart', 'community', 2, {
    type: 'count',
    event: 'reaction.received',
    threshold: 1,
    where: { kind: 'heart' },
    distinct: 'actor',
  });
  add('commenter-week', 'community', 5, {
    type: 'count',
    event: 'comment.created',
    threshold: 3,
    withinDays: 7,
    distinct: 'subject',
  });
  add('points-300', 'engagement', 0, { type: 'points', threshold: 300 });
  if (raw.length !== 50) throw new Error(`catalog has ${raw.length} badges, not 50`);
  const known = TYPES.map(([t]) => t);
  return raw.map((b, i) => {
    const parsed = E.parseCriteria(b.criteria, {
      knownEvents: known,
      profileFields: ['avatar', 'bio', 'socialLinks'],
    });
    if (!parsed.ok) throw new Error(`${b.slug}: ${JSON.stringify(parsed.issues)}`);
    return {
      id: i + 1,
      slug: b.slug,
      category: b.category,
      points: b.points,
      criteria: parsed.criteria,
      repeatable: b.repeatable ?? false,
      maxRepeats: b.maxRepeats ?? null,
      autoRevoke: b.autoRevoke ?? false,
      enabled: true,
      secret: b.secret ?? false,
    };
  });
};

/** Deterministic PRNG (mulberry32) so every round sees the same kind of stream. */
const rng = (seed) => () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const makeStream = (n, members, seed, t0) => {
  const r = rng(seed);
  const total = TYPES.reduce((s, [, w]) => s + w, 0);
  const pick = () => {
    let x = r() * total;
    for (const [t, w] of TYPES) {
      if ((x -= w) < 0) return t;
    }
    return TYPES[0][0];
  };
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const type = pick();
    const userId = 1 + Math.floor(r() * members);
    const at = t0 + i * 60_000 * (members / 50); // roughly a few events per member per day
    const e = { type, userId, occurredAt: at, subject: null, actorId: null, data: null };
    if (type.startsWith('lesson') || type.startsWith('module') || type.startsWith('course'))
      e.subject = `${type[0]}${Math.floor(r() * 200)}`;
    else if (type.startsWith('post')) e.subject = `p${Math.floor(r() * 40)}`;
    else if (type.startsWith('reaction')) {
      e.subject = `r${Math.floor(r() * 400)}`;
      e.actorId = 1 + Math.floor(r() * members);
      e.data = { kind: r() < 0.3 ? 'heart' : 'like' };
    } else if (type === 'profile.updated')
      e.data = { fields: { avatar: r() < 0.7, bio: r() < 0.5, socialLinks: r() < 0.3 } };
    out[i] = e;
  }
  return out;
};

const run = () => {
  const badges = catalog50();
  const t0 = Date.now() - 400 * 86_400_000;
  const members = scaled(2_000, 50);
  const perRound = scaled(100_000, 5_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const CHUNK = 1_000;
  let tb = now();
  const index = new E.CatalogIndex(badges, { retractions: RETRACTIONS });
  const catalogBuildMs = ms(tb);
  const streakEvents = new Set(E.DEFAULT_STREAK_EVENTS);

  const rates = [];
  const chunkUs = [];
  let awards = 0,
    revokes = 0;
  for (let round = -1; round < rounds; round++) {
    // round -1 warms the JIT up and is not counted
    const stream = makeStream(perRound, members, 1234 + Math.max(round, 0), t0);
    const state = new Map();
    const member = (id) => {
      let m = state.get(id);
      if (!m) {
        m = {
          tally: new E.Tally({ retractions: RETRACTIONS, timezone: 'Europe/Paris' }),
          streak: E.emptyStreak('Europe/Paris'),
          held: [],
        };
        state.set(id, m);
      }
      return m;
    };
    const start = now();
    let c0 = now();
    for (let i = 0; i < stream.length; i++) {
      const e = stream[i];
      const m = member(e.userId);
      m.tally.apply(e);
      if (streakEvents.has(e.type))
        m.streak = E.applyActivity(
          m.streak,
          { at: e.occurredAt, timezone: 'Europe/Paris' },
          { freezesPerMonth: 0 }
        ).state;
      const earned = m.held.filter((h) => !h.revoked);
      const d = E.decide(
        index.badgesFor(e.type),
        { tally: m.tally, streak: m.streak, earned, now: e.occurredAt },
        m.held,
        index
      );
      for (const a of d.awards) {
        const h = m.held.find((x) => x.badgeId === a.badgeId && x.sequence === a.sequence);
        if (h) h.revoked = false;
        else
          m.held.push({ badgeId: a.badgeId, sequence: a.sequence, revoked: false, manual: false });
      }
      for (const rv of d.revokes) {
        const h = m.held.find((x) => x.badgeId === rv.badgeId && x.sequence === rv.sequence);
        if (h) h.revoked = true;
      }
      if (round >= 0) {
        awards += d.awards.length;
        revokes += d.revokes.length;
      }
      if ((i + 1) % CHUNK === 0) {
        if (round >= 0) chunkUs.push((ms(c0) * 1000) / CHUNK);
        c0 = now();
      }
    }
    const took = ms(start);
    if (round >= 0) rates.push((stream.length / took) * 1000);
  }
  return {
    id: 'P2',
    title: 'pure engine evaluation, 50 badges of mixed criteria',
    scale: { badges: badges.length, members, eventsPerRound: perRound, rounds },
    catalogBuildMs: round(catalogBuildMs),
    eventsPerSecond: {
      median: Math.round(median(rates)),
      p1: Math.round(Math.min(...rates)),
      samples: rates.map(Math.round),
    },
    perEventMicros: {
      median: round(median(chunkUs)),
      p99: round(p99(chunkUs)),
      note: 'mean per event within 1,000-event chunks',
    },
    decisions: { awards, revokes },
    table: [
      [
        'events/s (median of rounds)',
        `${Math.round(median(rates)).toLocaleString('en')} (slowest round ${Math.round(Math.min(...rates)).toLocaleString('en')})`,
        `${members.toLocaleString('en')} members, ${perRound.toLocaleString('en')} events/round × ${rounds}`,
      ],
      [
        'µs per event',
        `median ${round(median(chunkUs), 1)}, p99 ${round(p99(chunkUs), 1)}`,
        'per 1,000-event chunk',
      ],
    ],
    bar: {
      text: '>= 100,000 events/s',
      value: Math.round(median(rates)),
      met: median(rates) >= 100_000,
    },
  };
};

const result = run();
if (process.send) process.send({ result });
else console.log(JSON.stringify(result, null, 2));
