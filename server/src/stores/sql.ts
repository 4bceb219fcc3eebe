import type { Core } from '@strapi/strapi';
import crypto from 'crypto';

/**
 * The engine's hot paths write its own tables with knex, because they need what the query
 * engine cannot give: INSERT … ON CONFLICT DO NOTHING (INSERT IGNORE on MySQL/MariaDB) against
 * unique indexes, and atomic claims. Raw knex knows nothing of documentIds or timestamps, so
 * `row()` fills the columns Strapi would. These tables have no draft & publish and no i18n.
 */
export type Knex = Core.Strapi['db']['connection'];
export type Dialect = 'sqlite' | 'postgres' | 'mysql';

export const dialectOf = (strapi: Core.Strapi): Dialect => {
  const client = strapi.db.dialect.client as string;
  if (client === 'postgres' || client === 'mysql' || client === 'sqlite') return client;
  return client.includes('sqlite') ? 'sqlite' : client.includes('pg') ? 'postgres' : 'mysql';
};

export interface Table {
  name: string;
  /** attribute name → column name */
  col: (attribute: string) => string;
}

export const tableOf = (strapi: Core.Strapi, uid: string): Table => {
  const meta = strapi.db.metadata.get(uid as any);
  return {
    name: meta.tableName,
    col: (attribute: string) => {
      const attr = meta.attributes[attribute] as { columnName?: string } | undefined;
      if (!attr) throw new Error(`${uid} has no attribute ${attribute}`);
      return attr.columnName ?? attribute;
    },
  };
};

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
let idPool = Buffer.alloc(0);
let idPos = 0;
const idByte = (limit: number): number => {
  for (;;) {
    if (idPos >= idPool.length) {
      idPool = crypto.randomBytes(4096);
      idPos = 0;
    }
    const b = idPool[idPos++];
    // Rejection sampling keeps every character equally likely (256 is not a multiple of 36).
    if (b < 256 - (256 % limit)) return b % limit;
  }
};

/**
 * A documentId shaped like Strapi's own (24 characters, a letter then lowercase base 36, about
 * 119 random bits), from a pooled crypto.randomBytes: the engine writes one per ledger row,
 * achievement and progress row, and cuid2's hashing cost ~30 µs each on the hot path.
 */
export const newDocumentId = (): string => {
  let id = ID_ALPHABET[idByte(26)];
  for (let i = 1; i < 24; i++) id += ID_ALPHABET[idByte(36)];
  return id;
};

let idSeq = 0;
/**
 * `n` fresh documentIds shaped like Strapi's (24 lower-case letters and digits, a letter first),
 * from one call to the system's random source: cuid2's hashing costs ~40 µs an id, which for a
 * million ledger rows is most of a backfill. A time-and-sequence prefix (then 10 random
 * characters, ~51 bits) keeps rows written together next to each other in the documentId index,
 * so a bulk insert appends to it instead of touching a random page per row.
 */
export const newDocumentIds = (n: number): string[] => {
  const bytes = crypto.randomBytes(n * 10);
  const stamp = Date.now().toString(36).padStart(9, '0').slice(-9);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i += 1) {
    idSeq = (idSeq + 1) % 1_679_616; // 36^4
    let id = `b${stamp}${idSeq.toString(36).padStart(4, '0')}`;
    for (let j = 0; j < 10; j += 1) id += ID_ALPHABET[bytes[i * 10 + j] % 36];
    out[i] = id;
  }
  return out;
};

/** Converts attribute-keyed values to column-keyed ones and adds Strapi's bookkeeping columns. */
export const row = (table: Table, values: Record<string, unknown>, now = new Date()) => {
  const out: Record<string, unknown> = {
    [table.col('documentId')]: newDocumentId(),
    [table.col('createdAt')]: now,
    [table.col('updatedAt')]: now,
    [table.col('publishedAt')]: now,
  };
  for (const [key, value] of Object.entries(values)) out[table.col(key)] = value;
  return out;
};

export const columns = (table: Table, values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [table.col(k), v]));

/** SQLite returns datetimes as epoch ms, PostgreSQL and MariaDB as Date objects. */
export const toDate = (value: unknown): Date | null =>
  value === null || value === undefined ? null : new Date(value as any);

export const toMs = (value: unknown): number | null => toDate(value)?.getTime() ?? null;

/** JSON columns come back parsed on PostgreSQL, as text on SQLite and MariaDB. */
export const fromJson = <T>(value: unknown): T | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      return null;
    }
  }
  return value as T;
};

export const toJson = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * Inserts one row unless a unique index already holds its key. Returns whether this call
 * inserted it: the database decides, so concurrent callers never both win. One raw statement
 * (see insertMany): on the trigger's path, knex's query builder cost more than the insert.
 */
export const insertIgnore = async (
  strapi: Core.Strapi,
  knex: Knex,
  table: string,
  values: Record<string, unknown>,
  conflictColumns: string[]
): Promise<boolean> => {
  const { count } = await insertMany(strapi, knex, table, [values], {
    conflict: conflictColumns,
    returning: 'id',
  });
  return count > 0;
};

/** The rows of a `knex.raw` SELECT, whatever the driver's result shape. */
export const rawRows = (strapi: Core.Strapi, result: any): any[] => {
  if (dialectOf(strapi) === 'mysql') return result?.[0] ?? [];
  return Array.isArray(result) ? result : (result?.rows ?? []);
};

/** Affected-row count of an UPDATE, the same on every dialect. */
export const affected = (result: unknown): number =>
  typeof result === 'number' ? result : Array.isArray(result) ? result.length : 0;

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
export const CHUNK = 400;

/** utils/db `row()` for many rows at once: Strapi's bookkeeping columns with cheap documentIds. */
export const bulkRows = (
  table: Table,
  list: Array<Record<string, unknown>>,
  now = new Date()
): Array<Record<string, unknown>> => {
  const ids = newDocumentIds(list.length);
  const documentId = table.col('documentId');
  const createdAt = table.col('createdAt');
  const updatedAt = table.col('updatedAt');
  const publishedAt = table.col('publishedAt');
  return list.map((values, i) => {
    const out: Record<string, unknown> = {
      [documentId]: ids[i],
      [createdAt]: now,
      [updatedAt]: now,
      [publishedAt]: now,
    };
    for (const key of Object.keys(values)) out[table.col(key)] = values[key];
    return out;
  });
};

/**
 * One multi-row INSERT that the unique index `conflict` may refuse row by row (DO NOTHING /
 * INSERT IGNORE), or upsert into (`merge`). Built as one raw statement: knex's query builder
 * spends more time compiling a 500-row insert than the database spends running it.
 * Returns how many rows were written and, on PostgreSQL and SQLite, the `returning` column of
 * each row inserted (MySQL/MariaDB cannot say which, only how many).
 */
export const insertMany = async (
  strapi: Core.Strapi,
  conn: any,
  table: string,
  rows: Array<Record<string, unknown>>,
  opts: {
    conflict: string[];
    merge?: string[];
    /** PostgreSQL/SQLite: update a conflicting row only where this holds (`excluded.` is the new row). */
    mergeWhere?: (quote: (id: string) => string) => string;
    returning?: string;
    /**
     * Without `merge`: these columns of each row actually inserted, on every dialect
     * (MariaDB ≥ 10.5 has INSERT … RETURNING, and INSERT IGNORE returns only the rows it wrote).
     */
    returningRows?: string[];
  }
): Promise<{ count: number; returned: unknown[] | null; rows?: any[] }> => {
  if (rows.length === 0) return { count: 0, returned: [] };
  const mysql = dialectOf(strapi) === 'mysql';
  const q = (id: string) =>
    mysql ? `\`${id.replace(/`/g, '``')}\`` : `"${id.replace(/"/g, '""')}"`;
  const cols = Object.keys(rows[0]);
  const tuple = `(${cols.map(() => '?').join(', ')})`;
  const bindings: unknown[] = [];
  for (const r of rows) for (const c of cols) bindings.push(r[c] === undefined ? null : r[c]);
  const values = rows.map(() => tuple).join(', ');
  const head = `into ${q(table)} (${cols.map(q).join(', ')}) values ${values}`;
  let sql: string;
  if (mysql) {
    // ON DUPLICATE KEY UPDATE has no WHERE: writing unconditionally would lose the guard.
    if (opts.mergeWhere)
      throw new Error('insertMany: mergeWhere is not supported on MySQL/MariaDB');
    sql = opts.merge
      ? `insert ${head} on duplicate key update ${opts.merge.map((c) => `${q(c)} = values(${q(c)})`).join(', ')}`
      : `insert ignore ${head}`;
  } else {
    sql =
      `insert ${head} on conflict (${opts.conflict.map(q).join(', ')}) do ` +
      (opts.merge
        ? `update set ${opts.merge.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}` +
          (opts.mergeWhere ? ` where ${opts.mergeWhere(q)}` : '')
        : 'nothing') +
      (opts.returning ? ` returning ${q(opts.returning)}` : '');
  }
  if (opts.returningRows && !opts.merge) {
    const rows = rawRows(
      strapi,
      await conn.raw(`${sql} returning ${opts.returningRows.map(q).join(', ')}`, bindings)
    );
    return { count: rows.length, returned: null, rows };
  }
  const result = await conn.raw(sql, bindings);
  if (mysql) return { count: Number(result?.[0]?.affectedRows ?? 0), returned: null };
  if (!opts.returning) return { count: -1, returned: null };
  const out = rawRows(strapi, result);
  return { count: out.length, returned: out.map((r) => r[opts.returning!]) };
};

/**
 * The rows `select()` finds for these members (`column` holds the member id): by id range a few
 * hundred members per statement when they are a page of ascending ids (`consecutive`: ranges
 * stay on the member index whatever the planner's statistics say), otherwise one `=` or `IN`.
 * Rows of other members in a range are left to the caller to ignore.
 */
export const rowsOfMembers = async (
  select: () => any,
  column: string,
  userIds: number[],
  consecutive = false
): Promise<any[]> => {
  if (userIds.length === 0) return [];
  if (!consecutive)
    return userIds.length === 1
      ? select().where(column, userIds[0])
      : select().whereIn(column, userIds);
  const out: any[] = [];
  for (const ids of chunks(userIds))
    out.push(...(await select().whereBetween(column, [ids[0], ids[ids.length - 1]])));
  return out;
};

export const chunks = <T>(list: T[], size = CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/** Quotes an identifier for raw SQL: backticks on MySQL/MariaDB, double quotes elsewhere. */
export const quoteId = (dialect: Dialect, id: string): string =>
  dialect === 'mysql' ? `\`${id.replace(/`/g, '``')}\`` : `"${id.replace(/"/g, '""')}"`;

/** Rows written by a raw INSERT / UPDATE / DELETE (no RETURNING), whatever the driver. */
export const rawChanges = (strapi: Core.Strapi, result: any): number => {
  switch (dialectOf(strapi)) {
    case 'sqlite':
      return Number(result?.changes ?? 0);
    case 'postgres':
      return Number(result?.rowCount ?? 0);
    default:
      return Number(result?.[0]?.affectedRows ?? 0);
  }
};

/** Whether this process's local time is UTC (drivers read and write naive datetimes in it). */
export const localTimeIsUtc = (): boolean => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone === 'UTC' || zone === 'Etc/UTC' || zone === 'Etc/GMT' || zone === 'GMT';
};

/**
 * SQL fragments for a datetime column `col` read as the drivers read it:
 * - `instant`: the value to copy into another datetime column, cut to milliseconds as a round
 *   trip through a JavaScript Date would (SQLite: epoch ms as an integer, parsing text the way
 *   `new Date(text)` does for ISO strings);
 * - `epochMs`: the epoch milliseconds as text (`String(date.getTime())`), or null when SQL
 *   cannot tell them exactly (MySQL/MariaDB off UTC without time zone tables).
 */
export const sqlInstant = (
  dialect: Dialect,
  col: string
): { instant: string; epochMs: string | null } => {
  if (dialect === 'sqlite') {
    const ms =
      `(CASE WHEN ${col} IS NULL THEN NULL WHEN typeof(${col}) IN ('integer', 'real') ` +
      `THEN CAST(${col} AS INTEGER) ELSE ` +
      `CAST(ROUND((julianday(${col}) - 2440587.5) * 86400000) AS INTEGER) END)`;
    return { instant: ms, epochMs: `CAST(${ms} AS TEXT)` };
  }
  if (dialect === 'postgres') {
    // Naive timestamps hold this process's local time (node-postgres writes and reads them so).
    const zone = localTimeIsUtc()
      ? col
      : `(${col} AT TIME ZONE '${Intl.DateTimeFormat().resolvedOptions().timeZone.replace(/'/g, "''")}')`;
    return {
      instant: `date_trunc('milliseconds', ${col})`,
      epochMs: `CAST(CAST(FLOOR(EXTRACT(EPOCH FROM ${zone}) * 1000) AS BIGINT) AS TEXT)`,
    };
  }
  return {
    instant: `(${col} - INTERVAL (MICROSECOND(${col}) % 1000) MICROSECOND)`,
    epochMs: localTimeIsUtc()
      ? `CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${col}) DIV 1000 AS CHAR)`
      : null,
  };
};

/**
 * Claims up to `limit` rows of `table` for `token` with a lease: rows `pending` selects whose
 * claim is empty or older than `leaseMs`, oldest by `orderBy` first. Several processes may
 * claim at once; each row goes to one of them. Each claim adds one to `attempts`. Answers the
 * claimed rows as the database holds them (in no particular order).
 */
export const claimRows = async (
  strapi: Core.Strapi,
  table: Table,
  opts: {
    pending: (q: any) => any;
    orderBy: string;
    now: Date;
    leaseMs: number;
    token: string;
    limit: number;
  }
): Promise<any[]> => {
  const knex = strapi.db.connection;
  const claimable = (q: any) =>
    opts
      .pending(q)
      .where((w: any) =>
        w
          .whereNull(table.col('claimedAt'))
          .orWhere(table.col('claimedAt'), '<', new Date(opts.now.getTime() - opts.leaseMs))
      );
  const claimedValues = {
    [table.col('claimedAt')]: opts.now,
    [table.col('claimedBy')]: opts.token,
    [table.col('attempts')]: knex.raw('?? + 1', [table.col('attempts')]),
  };
  const oldest = () =>
    claimable(knex(table.name).select('id'))
      .orderBy([{ column: table.col(opts.orderBy) }, { column: 'id' }])
      .limit(opts.limit);
  if (dialectOf(strapi) === 'mysql') {
    // MariaDB/MySQL have no UPDATE … RETURNING: select, claim, read back what this token won.
    const ids = (await oldest()).map((r: any) => r.id);
    if (ids.length === 0) return [];
    await claimable(knex(table.name).whereIn('id', ids)).update(claimedValues);
    return opts.pending(knex(table.name).where(table.col('claimedBy'), opts.token));
  }
  // One statement. On PostgreSQL, rows another process is claiming right now are skipped (not
  // waited for), so processes sharing the database take disjoint batches; the outer conditions
  // are re-checked on the row as it is when locked, so a row is claimed once.
  const candidates = oldest();
  if (dialectOf(strapi) === 'postgres') candidates.forUpdate().skipLocked();
  return claimable(knex(table.name).whereIn('id', candidates)).update(claimedValues).returning('*');
};

/**
 * `CASE WHEN col >= ? AND col < ? THEN 0 … END`: the index of the calendar bucket a datetime
 * falls in (null outside them), for GROUP BY on every dialect without date functions, whose
 * names and time zones differ between SQLite, PostgreSQL and MariaDB. The buckets' instants
 * are bound as Dates, as every other datetime comparison here.
 */
export const bucketIndex = (
  knex: Knex,
  col: string,
  buckets: Array<{ from: number; to: number }>
) => {
  const cases = buckets.map((_, i) => `WHEN ?? >= ? AND ?? < ? THEN ${i}`).join(' ');
  const bindings = buckets.flatMap((b) => [col, new Date(b.from), col, new Date(b.to)]);
  return knex.raw(`CASE ${cases} END`, bindings);
};
