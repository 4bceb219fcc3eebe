import { spawn } from 'child_process';
import path from 'path';
import type { TestApp } from '../helpers/strapi';
import { APP_DIR, DIST_DIR } from '../helpers/paths';

const USER_UID = 'plugin::users-permissions.user';
/** Integer attributes that name a member (userId, actorId, memberId, recipientUserId, …). */
const MEMBER_ATTRIBUTE = /(user|actor|member|holder|recipient)(Id)?$/i;
const TEXT_TYPES = new Set(['string', 'text', 'richtext', 'json', 'uid', 'email', 'blocks']);

export interface Hit {
  table: string;
  column: string;
  rows: number;
}

/** The plugin's tables and their member columns, from Strapi's metadata at run time. */
export const pluginTables = (app: TestApp) => {
  const out: Array<{
    uid: string;
    table: string;
    memberColumns: string[];
    textColumns: string[];
    userRelations: string[];
  }> = [];
  for (const [uid, meta] of app.strapi.db.metadata as unknown as Map<string, any>) {
    if (!uid.startsWith('plugin::achievements.')) continue;
    const memberColumns: string[] = [];
    const textColumns: string[] = [];
    const userRelations: string[] = [];
    for (const [name, attr] of Object.entries<any>(meta.attributes)) {
      if (attr.type === 'relation' && attr.target === USER_UID) userRelations.push(name);
      else if (['integer', 'biginteger'].includes(attr.type) && MEMBER_ATTRIBUTE.test(name))
        memberColumns.push(attr.columnName ?? name);
      else if (TEXT_TYPES.has(attr.type) && attr.columnName) textColumns.push(attr.columnName);
    }
    out.push({ uid, table: meta.tableName, memberColumns, textColumns, userRelations });
  }
  return out;
};

/**
 * Every place in the plugin's tables where the member still appears: their id in any member
 * column (or a relation to them), their documentId or username inside any text or JSON column.
 */
export const scanForMember = async (
  app: TestApp,
  user: { id: number; documentId: string; username: string }
): Promise<Hit[]> => {
  const knex = app.strapi.db.connection;
  const client = app.db.client;
  const asText = (col: string) =>
    client === 'postgres'
      ? knex.raw('CAST(?? AS TEXT)', [col])
      : client === 'mysql'
        ? knex.raw('CAST(?? AS CHAR)', [col])
        : knex.raw('??', [col]);
  const hits: Hit[] = [];
  for (const t of pluginTables(app)) {
    for (const column of t.memberColumns) {
      const [{ n }] = await knex(t.table).where(column, user.id).count({ n: '*' });
      if (Number(n) > 0) hits.push({ table: t.table, column, rows: Number(n) });
    }
    for (const column of t.textColumns) {
      for (const needle of [user.documentId, user.username]) {
        const [{ n }] = await knex(t.table)
          .where(asText(column), 'like', `%${needle}%`)
          .count({ n: '*' });
        if (Number(n) > 0)
          hits.push({ table: t.table, column: `${column}~${needle}`, rows: Number(n) });
      }
    }
    for (const relation of t.userRelations) {
      const n = await app.strapi.db
        .query(t.uid as any)
        .count({ where: { [relation]: { id: user.id } } });
      if (Number(n) > 0) hits.push({ table: t.table, column: relation, rows: Number(n) });
    }
  }
  return hits;
};

/** Tables (with a member column) in which the member has no row. */
export const tablesWithoutMember = async (app: TestApp, userId: number) => {
  const knex = app.strapi.db.connection;
  const missing: string[] = [];
  for (const t of pluginTables(app)) {
    if (t.memberColumns.length === 0 && t.userRelations.length === 0) continue;
    let found = 0;
    for (const column of t.memberColumns) {
      const [{ n }] = await knex(t.table).where(column, userId).count({ n: '*' });
      found += Number(n);
    }
    for (const relation of t.userRelations)
      found += Number(
        await app.strapi.db.query(t.uid as any).count({ where: { [relation]: { id: userId } } })
      );
    if (found === 0) missing.push(t.uid);
  }
  return missing;
};

export const erasureRows = (app: TestApp, where: Record<string, unknown> = {}) =>
  app.strapi.db
    .query('plugin::achievements.erasure')
    .findMany({ where, orderBy: { id: 'asc' } }) as Promise<any[]>;

/** Waits until no erase is running and at least `done` receipts exist. */
export const waitForErasures = async (app: TestApp, done: number, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await erasureRows(app);
    const finished = rows.filter((r) => r.status === 'done').length;
    if (finished >= done && rows.every((r) => r.status === 'done')) return rows;
    if (Date.now() > deadline)
      throw new Error(`erasures still running: ${JSON.stringify(rows, null, 1)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * Erases a member in a second Strapi process on the same database, which kills itself
 * (SIGKILL, no clean-up) right after the erase step `killAfter` committed.
 */
export const eraseInProcessKilledAfter = (
  userId: number,
  killAfter: string
): Promise<{ signal: NodeJS.Signals | null; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'erase-crash-child.js'), String(userId), killAfter],
      {
        env: { ...process.env, APP_DIR, DIST_DIR },
        stdio: ['ignore', 'pipe', 'pipe'],
      }
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, output }));
  });
