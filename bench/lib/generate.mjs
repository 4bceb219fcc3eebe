// Bulk data for P3/P4, written with raw knex in batches (what we generate is documented in
// bench/README.md): members in the users table, badges through the document service, and
// achievements / progress / streak rows in the plugin's tables.
const BATCH = 500;

const tableInfo = (strapi, uid) => {
  const meta = strapi.db.metadata.get(uid);
  const col = (a) => meta.attributes[a]?.columnName ?? a;
  const has = (a) => Boolean(meta.attributes[a]);
  return { name: meta.tableName, col, has };
};

/** Strapi's bookkeeping columns for a raw row. */
const base = (t, docId, at) => {
  const out = { [t.col('documentId')]: docId, [t.col('createdAt')]: at, [t.col('updatedAt')]: at };
  if (t.has('publishedAt')) out[t.col('publishedAt')] = at;
  return out;
};

const insertAll = async (strapi, table, rows) => {
  for (let i = 0; i < rows.length; i += BATCH)
    await strapi.db.connection(table).insert(rows.slice(i, i + BATCH));
};

/** Members with ids continuing from the current max: returns the new [firstId, lastId]. */
export const generateMembers = async (strapi, n) => {
  const t = tableInfo(strapi, 'plugin::users-permissions.user');
  const [{ max }] = await strapi.db.connection(t.name).max({ max: 'id' });
  const start = Number(max ?? 0) + 1;
  const at = new Date();
  for (let i = 0; i < n; i += BATCH) {
    const rows = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const id = start + j;
      rows.push({
        id,
        ...base(t, `bu${id}`, at),
        [t.col('username')]: `bench${id}`,
        [t.col('email')]: `bench${id}@bench.test`,
        [t.col('provider')]: 'local',
        [t.col('confirmed')]: true,
        [t.col('blocked')]: false,
      });
    }
    await strapi.db.connection(t.name).insert(rows);
  }
  if (strapi.db.dialect.client === 'postgres')
    await strapi.db.connection.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), ?)`, [
      t.name,
      start + n - 1,
    ]);
  return [start, start + n - 1];
};

/** Badges up to `total` (the seeded catalog counts), count criteria on lesson.completed. */
export const generateBadges = async (strapi, total) => {
  const docs = strapi.documents('plugin::achievements.badge');
  const existing = await docs.count({});
  const cats = await strapi.documents('plugin::achievements.category').findMany({});
  const tiers = ['bronze', 'silver', 'gold', 'platinum'];
  for (let i = existing; i < total; i++) {
    await docs.create({
      data: {
        name: `Bench badge ${i}`,
        slug: `bench-badge-${i}`,
        description: 'Generated for the benchmark.',
        tier: tiers[i % 4],
        points: 5 + (i % 20),
        criteria: { type: 'count', event: 'lesson.completed', threshold: 1000 + i },
        category: cats[i % cats.length]?.documentId,
        enabled: true,
      },
    });
  }
  const all = await docs.findMany({ fields: ['id'], limit: 10_000 });
  return all.map((b) => b.id);
};

/** `n` achievements spread evenly over the members [first, last] (distinct badges per member),
 * plus one progress row per member and badge for a tenth of them, and a streak per member. */
export const generateAchievements = async (strapi, { first, last, n, badgeIds, offset = 0 }) => {
  const a = tableInfo(strapi, 'plugin::achievements.achievement');
  const members = last - first + 1;
  const per = Math.ceil(n / members);
  const at0 = Date.now() - 365 * 86_400_000;
  let made = 0;
  let rows = [];
  for (let m = 0; m < members && made < n; m++) {
    const userId = first + m;
    for (let k = 0; k < per && made < n; k++, made++) {
      const badgeId = badgeIds[(m * 7 + k) % badgeIds.length];
      const at = new Date(at0 + ((m * 31 + k * 977) % (365 * 1440)) * 60_000);
      rows.push({
        ...base(a, `ba${offset + made}`, at),
        [a.col('userId')]: userId,
        [a.col('badgeId')]: badgeId,
        [a.col('sequence')]: 1,
        [a.col('earnedAt')]: at,
        [a.col('sourceEvent')]: `bench:${userId}:${badgeId}`,
        [a.col('evidence')]: JSON.stringify({ reason: 'benchmark' }),
        [a.col('revokedAt')]: null,
        [a.col('awardedBy')]: null,
      });
      if (rows.length >= BATCH) {
        await insertAll(strapi, a.name, rows);
        rows = [];
      }
    }
  }
  if (rows.length) await insertAll(strapi, a.name, rows);
  const p = tableInfo(strapi, 'plugin::achievements.progress');
  const s = tableInfo(strapi, 'plugin::achievements.streak');
  rows = [];
  let srows = [];
  const now = new Date();
  for (let m = 0; m < members; m++) {
    const userId = first + m;
    rows.push({
      ...base(p, `bp${userId}`, now),
      [p.col('userId')]: userId,
      [p.col('badgeId')]: badgeIds[(m * 7 + per) % badgeIds.length],
      [p.col('current')]: 3,
      [p.col('target')]: 10,
    });
    srows.push({
      ...base(s, `bs${userId}`, now),
      [s.col('userId')]: userId,
      [s.col('current')]: m % 9,
      [s.col('longest')]: m % 30,
      [s.col('lastActiveAt')]: now,
      [s.col('lastActiveDay')]: now.toISOString().slice(0, 10),
      [s.col('timezone')]: 'UTC',
      [s.col('freezesUsed')]: 0,
      [s.col('version')]: 1,
    });
    if (rows.length >= BATCH) {
      await insertAll(strapi, p.name, rows);
      await insertAll(strapi, s.name, srows);
      rows = [];
      srows = [];
    }
  }
  if (rows.length) {
    await insertAll(strapi, p.name, rows);
    await insertAll(strapi, s.name, srows);
  }
  return made;
};

/** The ceiling: the same data the card / member page show, read with the fewest raw queries
 * (the badge catalog is cached in memory, as the plugin caches it). */
export const ceiling = (strapi) => {
  const k = () => strapi.db.connection;
  const u = tableInfo(strapi, 'plugin::users-permissions.user');
  const a = tableInfo(strapi, 'plugin::achievements.achievement');
  const p = tableInfo(strapi, 'plugin::achievements.progress');
  const s = tableInfo(strapi, 'plugin::achievements.streak');
  const pr = tableInfo(strapi, 'plugin::achievements.preference');
  let badges = null;
  const catalog = async () => {
    if (badges) return badges;
    const rows = await strapi
      .documents('plugin::achievements.badge')
      .findMany({ populate: { category: true }, limit: 10_000 });
    badges = new Map(rows.map((b) => [b.id, b]));
    return badges;
  };
  const earned = (userId) =>
    k()(a.name)
      .select({ badgeId: a.col('badgeId'), earnedAt: a.col('earnedAt') })
      .where(a.col('userId'), userId)
      .whereNull(a.col('revokedAt'));
  const user = (userId) =>
    k()(u.name)
      .first({ id: 'id', username: u.col('username'), documentId: u.col('documentId') })
      .where('id', userId);
  const pref = (userId) => k()(pr.name).first('*').where(pr.col('userId'), userId);
  return {
    async card(userId) {
      const [cat, member, rows, preference] = await Promise.all([
        catalog(),
        user(userId),
        earned(userId),
        pref(userId),
      ]);
      const list = rows
        .map((r) => ({ b: cat.get(r.badgeId), at: new Date(r.earnedAt) }))
        .filter((x) => x.b)
        .sort((x, y) => y.at - x.at);
      return {
        user: member,
        preference: preference ?? null,
        badges: list.slice(0, 6).map(({ b, at }) => ({
          slug: b.slug,
          name: b.name,
          description: b.description,
          tier: b.tier,
          points: b.points,
          category: b.category?.slug ?? null,
          earnedAt: at.toISOString(),
        })),
        totalEarned: list.length,
        totalAvailable: cat.size,
      };
    },
    async member(userId) {
      const [cat, member, rows, progress, streak, preference] = await Promise.all([
        catalog(),
        user(userId),
        earned(userId),
        k()(p.name).select('*').where(p.col('userId'), userId),
        k()(s.name).first('*').where(s.col('userId'), userId),
        pref(userId),
      ]);
      const held = new Map(rows.map((r) => [r.badgeId, r.earnedAt]));
      const prog = new Map(progress.map((r) => [r[p.col('badgeId')], r]));
      const categories = new Map();
      for (const b of cat.values()) {
        const slug = b.category?.slug ?? 'other';
        if (!categories.has(slug))
          categories.set(slug, { slug, name: b.category?.name ?? 'Other', badges: [] });
        const pr = prog.get(b.id);
        categories.get(slug).badges.push({
          slug: b.slug,
          name: b.name,
          tier: b.tier,
          points: b.points,
          earned: held.has(b.id),
          earnedAt: held.has(b.id) ? new Date(held.get(b.id)).toISOString() : null,
          progress: pr ? { current: pr[p.col('current')], target: pr[p.col('target')] } : null,
        });
      }
      return {
        user: member,
        preference: preference ?? null,
        categories: [...categories.values()],
        streak: streak
          ? { current: streak[s.col('current')], longest: streak[s.col('longest')] }
          : null,
      };
    },
  };
};

/**
 * Historical lesson completions for the backfill (P4): `perMember` completions for each member
 * of [first, last], written with raw knex in batches into lesson_completions and its two link
 * tables. The link rows copy the shape of one completion created through the document service
 * for each lesson (so draft/published links and order columns are exactly what Strapi writes).
 */
export const generateCompletions = async (
  strapi,
  { first, last, lessonIds, perMember, templateUserId }
) => {
  const uid = 'api::lesson-completion.lesson-completion';
  const meta = strapi.db.metadata.get(uid);
  const t = tableInfo(strapi, uid);
  const k = strapi.db.connection;
  const userJt = meta.attributes.user.joinTable;
  const lessonJt = meta.attributes.lesson.joinTable;
  const templates = new Map();
  for (const lessonDoc of lessonIds) {
    const c = await strapi.documents(uid).create({
      data: {
        user: templateUserId,
        lesson: lessonDoc,
        completedAt: new Date().toISOString(),
        completionKey: `${templateUserId}:${lessonDoc}`,
      },
    });
    const row = await k(t.name).first('id').where(t.col('documentId'), c.documentId);
    const links = await k(lessonJt.name).select('*').where(lessonJt.joinColumn.name, row.id);
    const ulinks = await k(userJt.name).select('*').where(userJt.joinColumn.name, row.id);
    templates.set(lessonDoc, { links, ulink: ulinks[0] });
  }
  const [{ max }] = await k(t.name).max({ max: 'id' });
  let id = Number(max ?? 0);
  const t0 = Date.now() - 300 * 86_400_000;
  let rows = [],
    ulinks = [],
    llinks = [],
    made = 0;
  const flush = async () => {
    if (!rows.length) return;
    await k(t.name).insert(rows);
    await k(userJt.name).insert(ulinks);
    await k(lessonJt.name).insert(llinks);
    rows = [];
    ulinks = [];
    llinks = [];
  };
  for (let userId = first; userId <= last; userId++) {
    for (let j = 0; j < perMember; j++) {
      const lessonDoc = lessonIds[(userId + j) % lessonIds.length];
      const tpl = templates.get(lessonDoc);
      id += 1;
      made += 1;
      const at = new Date(
        t0 + (((userId * 13) % 200) + j * 2) * 86_400_000 + (userId % 1440) * 60_000
      );
      rows.push({
        id,
        ...base(t, `bc${id}`, at),
        [t.col('completedAt')]: at,
        [t.col('completionKey')]: `${userId}:${lessonDoc}`,
      });
      const { id: _u, ...ulink } = tpl.ulink;
      ulinks.push({
        ...ulink,
        [userJt.joinColumn.name]: id,
        [userJt.inverseJoinColumn.name]: userId,
      });
      for (const l of tpl.links) {
        const { id: _l, ...link } = l;
        llinks.push({ ...link, [lessonJt.joinColumn.name]: id });
      }
      if (rows.length >= 200) await flush();
    }
  }
  await flush();
  if (strapi.db.dialect.client === 'postgres')
    await k.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), ?)`, [t.name, id]);
  return made + lessonIds.length;
};
