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

/** Members with ids continuing from the current max: returns the new [firstId, lastId].
 * `at`: when they registered (default now). */
export const generateMembers = async (strapi, n, at = new Date()) => {
  const t = tableInfo(strapi, 'plugin::users-permissions.user');
  const [{ max }] = await strapi.db.connection(t.name).max({ max: 'id' });
  const start = Number(max ?? 0) + 1;
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

/**
 * One multi-row raw INSERT per chunk (knex's builder costs more than the insert at this size).
 * Every row of `rows` has the same columns.
 */
const rawInsert = async (strapi, table, rows) => {
  if (!rows.length) return;
  const mysql = strapi.db.dialect.client === 'mysql';
  const q = (id) => (mysql ? `\`${id}\`` : `"${id}"`);
  const cols = Object.keys(rows[0]);
  const per = Math.max(1, Math.floor(30_000 / cols.length));
  const tuple = `(${cols.map(() => '?').join(',')})`;
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    const bindings = [];
    for (const r of part) for (const c of cols) bindings.push(r[c] ?? null);
    await strapi.db.connection.raw(
      `insert into ${q(table)} (${cols.map(q).join(',')}) values ${part.map(() => tuple).join(',')}`,
      bindings
    );
  }
};

/** Rows for several tables, written in multi-row statements once `size` are waiting. */
const buffers = (strapi, size = 6_000) => {
  const pending = new Map();
  let waiting = 0;
  const flush = async () => {
    for (const [table, rows] of pending) {
      await rawInsert(strapi, table, rows);
      rows.length = 0;
    }
    waiting = 0;
  };
  return {
    async add(table, row) {
      let list = pending.get(table);
      if (!list) pending.set(table, (list = []));
      list.push(row);
      if (++waiting >= size) await flush();
    },
    flush,
  };
};

/**
 * A site's history for the backfill (P4), raw and fast: for each member of [first, last],
 * `lessons` lesson completions (spread over the lessons), one module completion, one
 * enrollment (every other one completed, which its update trigger replays), and, for three
 * members in ten, a published post (its draft and published rows, as Strapi 5 keeps them);
 * every member comments on someone's post (one comment in five marked helpful) and reacts to
 * someone else's post or comment. Relation links are written as the document service writes
 * them: to both the draft and the published row of a draft & publish target (lessons,
 * modules, courses, posts), with the order columns Strapi fills. Dates spread over the last
 * 300 days; updatedAt is the document's last change (a completion, a helpful mark).
 * About `lessons` + 4 events per member: lessons + 1 module + 0.5 course + 0.3 post +
 * 1 comment + 0.2 helpful + 1 reaction (never from the credited member).
 */
export const generateHistory = async (strapi, { first, last, lessons = 6 }) => {
  const k = strapi.db.connection;
  const info = (uid) => {
    const meta = strapi.db.metadata.get(uid);
    const col = (a) => meta.attributes[a]?.columnName ?? a;
    const link = (a) => {
      const jt = meta.attributes[a].joinTable;
      return {
        name: jt.name,
        src: jt.joinColumn.name,
        dst: jt.inverseJoinColumn.name,
        ord: [jt.orderColumnName, jt.inverseOrderColumnName].filter(Boolean),
      };
    };
    return { name: meta.tableName, col, link };
  };
  /** Published documents of a draft & publish type: [draft row id, published row id] each. */
  const rowsOf = async (uid) => {
    const t = info(uid);
    const rows = await k(t.name).select('id', t.col('documentId')).orderBy('id');
    const out = new Map();
    for (const r of rows) {
      const doc = r[t.col('documentId')];
      if (!out.has(doc)) out.set(doc, []);
      out.get(doc).push(r.id);
    }
    return [...out.entries()]
      .filter(([, ids]) => ids.length === 2)
      .map(([documentId, ids]) => ({ documentId, ids }));
  };
  const nextId = async (table) => Number((await k(table).max({ max: 'id' }))[0].max ?? 0) + 1;
  const lessonsOf = await rowsOf('api::lesson.lesson');
  const modulesOf = await rowsOf('api::module.module');
  const coursesOf = await rowsOf('api::course.course');

  const T = {
    LC: info('api::lesson-completion.lesson-completion'),
    MC: info('api::module-completion.module-completion'),
    EN: info('api::enrollment.enrollment'),
    PO: info('api::post.post'),
    CO: info('api::comment.comment'),
    RE: info('api::reaction.reaction'),
  };
  const ids = {};
  for (const [name, t] of Object.entries(T)) ids[name] = await nextId(t.name);
  const buf = buffers(strapi);
  const links = async (t, attr, src, dstIds) => {
    const l = t.link(attr);
    for (const dst of dstIds) {
      const row = { [l.src]: src, [l.dst]: dst };
      for (const c of l.ord) row[c] = 1;
      await buf.add(l.name, row);
    }
  };
  const docIdOf = (tag, id) => `${tag}${id.toString(36).padStart(22, '0')}`;
  const add = (t, id, tag, { at, updated = at, published = at, documentId }, values) =>
    buf.add(t.name, {
      id,
      [t.col('documentId')]: documentId ?? docIdOf(tag, id),
      [t.col('createdAt')]: at,
      [t.col('updatedAt')]: updated,
      [t.col('publishedAt')]: published,
      ...Object.fromEntries(Object.entries(values).map(([a, v]) => [t.col(a), v])),
    });
  const DAY = 86_400_000;
  const t0 = Date.now() - 300 * DAY;
  const members = last - first + 1;
  const dayOf = (m) => t0 + ((m * 13) % 200) * DAY + (m % 1440) * 60_000;

  // Posts first (comments and reactions point at them): three members in ten post once.
  const posts = [];
  for (let m = 0; m < members; m++) {
    if (m % 10 >= 3) continue;
    const userId = first + m;
    const at = new Date(dayOf(m) + 3 * DAY);
    const rows = [ids.PO++, ids.PO++];
    const documentId = docIdOf('bp', rows[0]);
    for (const [i, id] of rows.entries()) {
      await add(
        T.PO,
        id,
        'bp',
        { at, published: i ? at : null, documentId },
        {
          title: `Post ${userId}`,
          body: 'History.',
        }
      );
      await links(T.PO, 'author', id, [userId]);
    }
    posts.push({ author: userId, documentId, rows, at: at.getTime() });
  }
  // Completions, enrollments and one comment per member.
  const comments = [];
  for (let m = 0; m < members; m++) {
    const userId = first + m;
    const day = dayOf(m);
    for (let j = 0; j < lessons; j++) {
      const lesson = lessonsOf[(m + j) % lessonsOf.length];
      const at = new Date(day + j * 2 * DAY);
      const id = ids.LC++;
      await add(
        T.LC,
        id,
        'bl',
        { at },
        {
          completedAt: at,
          completionKey: `${userId}:${lesson.documentId}`,
        }
      );
      await links(T.LC, 'user', id, [userId]);
      await links(T.LC, 'lesson', id, lesson.ids);
    }
    const mod = modulesOf[m % modulesOf.length];
    const modAt = new Date(day + lessons * 2 * DAY);
    let id = ids.MC++;
    await add(
      T.MC,
      id,
      'bm',
      { at: modAt },
      {
        completedAt: modAt,
        completionKey: `${userId}:${mod.documentId}`,
      }
    );
    await links(T.MC, 'user', id, [userId]);
    await links(T.MC, 'module', id, mod.ids);
    const course = coursesOf[m % coursesOf.length];
    const enrolled = new Date(day - DAY);
    const completed = m % 2 === 0 ? new Date(day + (lessons * 2 + 1) * DAY) : null;
    id = ids.EN++;
    await add(
      T.EN,
      id,
      'be',
      { at: enrolled, updated: completed ?? enrolled },
      {
        status: completed ? 'completed' : 'active',
        completedAt: completed,
        enrollmentKey: `${userId}:${course.documentId}`,
      }
    );
    await links(T.EN, 'user', id, [userId]);
    await links(T.EN, 'course', id, course.ids);
    if (posts.length) {
      const post = posts[(m * 7 + 1) % posts.length];
      const at = new Date(Math.max(day, post.at) + DAY);
      const helpful = m % 5 === 0;
      id = ids.CO++;
      await add(
        T.CO,
        id,
        'bk',
        { at, updated: helpful ? new Date(at.getTime() + DAY) : at },
        {
          body: 'A comment.',
          helpful,
        }
      );
      await links(T.CO, 'post', id, post.rows);
      await links(T.CO, 'author', id, [userId]);
      comments.push({ author: userId, documentId: docIdOf('bk', id), id, at: at.getTime() });
    }
  }
  // One reaction per member: on a post (even members) or on another member's comment.
  const kinds = ['like', 'love', 'insightful', 'celebrate'];
  for (let m = 0; m < members; m++) {
    const userId = first + m;
    const onPost = m % 2 === 0 && posts.length > 0;
    const target = onPost
      ? posts[(m * 3 + 2) % posts.length]
      : comments[(m + 1) % Math.max(1, comments.length)];
    if (!target) continue;
    const kind = kinds[m % kinds.length];
    const type = onPost ? 'post' : 'comment';
    const at = new Date(target.at + ((m % 7) + 1) * DAY);
    const id = ids.RE++;
    await add(
      T.RE,
      id,
      'br',
      { at },
      {
        kind,
        reactionKey: `${userId}:${type}:${target.documentId}:${kind}`,
      }
    );
    await links(T.RE, type, id, onPost ? target.rows : [target.id]);
    await links(T.RE, 'author', id, [userId]);
  }
  await buf.flush();
  if (strapi.db.dialect.client === 'postgres')
    for (const [name, t] of Object.entries(T))
      await k.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), ?)`, [t.name, ids[name] - 1]);
  const counts = {};
  for (const [name, t] of Object.entries(T))
    counts[name] = Number((await k(t.name).count({ n: '*' }))[0].n);
  return { posts: posts.length, comments: comments.length, rows: counts };
};

/**
 * P8's points ledger, set-based: `perMember` event entries for every member in [first, last],
 * one statement per 5,000 members (INSERT … SELECT over the users and a list of k), spread
 * over the year before `now`, amounts 5–50, one in four in one of five courses. SQLite and
 * PostgreSQL (the instant's expression differs). Returns how many rows.
 */
export const generatePoints = async (strapi, { first, last, perMember = 20, now = Date.now() }) => {
  const t = tableInfo(strapi, 'plugin::achievements.point');
  const u = tableInfo(strapi, 'plugin::users-permissions.user');
  const pg = strapi.db.dialect.client === 'postgres';
  const YEAR = 365 * 86_400_000;
  const ks = Array.from({ length: perMember }, (_, k) => `select ${k} as k`).join(' union all ');
  const ms = `(${now} - ((u.id * 7919 + s.k * 104729) % ${YEAR}))`;
  const at = pg ? `to_timestamp(${ms} / 1000.0)` : ms;
  const stamp = pg ? `to_timestamp(${now} / 1000.0)` : String(now);
  const cat = (...parts) => (pg ? parts.join(' || ') : parts.join(' || '));
  const cols = {
    documentId: cat(`'bp'`, 'u.id', `'_'`, 's.k'),
    userId: 'u.id',
    amount: '((u.id * 31 + s.k * 17) % 46) + 5',
    source: `'event'`,
    sourceKey: cat(`'bench:'`, 'u.id', `':'`, 's.k'),
    type: `'lesson.completed'`,
    subject: cat(`'lesson-'`, 's.k'),
    scope: `case when s.k % 4 = 0 then ${cat(`'course:c'`, '(u.id % 5)')} else null end`,
    occurredAt: at,
    createdAt: stamp,
    updatedAt: stamp,
  };
  if (t.has('publishedAt')) cols.publishedAt = stamp;
  const q = (id) => `"${id}"`;
  const names = Object.keys(cols).map((a) => q(t.col(a)));
  let made = 0;
  for (let from = first; from <= last; from += 5000) {
    const to = Math.min(last, from + 4999);
    await strapi.db.connection.raw(
      `insert into ${q(t.name)} (${names.join(', ')}) select ${Object.values(cols).join(', ')} ` +
        `from ${q(u.name)} u cross join (${ks}) s where u.id between ? and ?`,
      [from, to]
    );
    made += (to - from + 1) * perMember;
  }
  return made;
};

/** Gives members [first, last] users-permissions' Authenticated role (their JWTs then reach /me routes). */
export const generateRoles = async (strapi, { first, last }) => {
  const link = strapi.db.metadata.get('plugin::users-permissions.user').attributes.role.joinTable;
  const roles = tableInfo(strapi, 'plugin::users-permissions.role');
  const [role] = await strapi.db
    .connection(roles.name)
    .select('id')
    .where(roles.col('type'), 'authenticated');
  await strapi.db.connection.raw(
    `insert into "${link.name}" ("${link.joinColumn.name}", "${link.inverseJoinColumn.name}") ` +
      `select id, ? from "${tableInfo(strapi, 'plugin::users-permissions.user').name}" where id between ? and ?`,
    [role.id, first, last]
  );
};
