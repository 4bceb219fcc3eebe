import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import crypto from 'crypto';
import { PLUGIN_ID, UID } from '../../../common/constants';
import type { Trigger } from '../config/schema';
import {
  bulkRows,
  dialectOf,
  insertMany,
  quoteId,
  rawChanges,
  sqlInstant,
  tableOf,
  toJson,
  type Dialect,
} from '../utils/db';
import { getService } from '../utils/get-service';
import { isFilled, PROFILE_EVENT } from './triggers';
import { appEvents, pluginConfig } from '../utils/plugin-config';

export interface BackfillState {
  id: string;
  status: 'running' | 'done' | 'failed';
  phase: 'replay' | 'evaluate' | 'done';
  badges: string[] | null;
  notify: boolean;
  /** Replay and evaluate everything, whatever earlier runs covered (see ReplayMarks). */
  full?: boolean;
  total: number;
  processed: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  owner: string;
  /** Where a resumed run continues. */
  cursor: {
    trigger: number;
    lastId: number;
    users: boolean;
    lastUserId: number;
    /** The last member whose profile was replayed (absent in runs started by older versions). */
    profileId?: number;
    /**
     * The highest id of each replayable trigger's documents, and of members, when the run
     * started: the replay covers what existed then. What is written after is the live triggers'
     * (replaying it too would race them for the same key).
     */
    upTo?: number[];
    profileUpTo?: number;
    /** 0: the documents after the trigger's high-water mark; 1: older ones updated since. */
    pass?: 0 | 1;
    /** Per trigger, the high-water mark this run starts after (0: none, every document). */
    from?: number[];
    /** Per trigger, pass 1's lower bound on updatedAt (null: no pass 1). */
    since?: Array<string | null>;
    profileFrom?: number;
    profileSince?: string | null;
    /** The evaluate phase takes members with ledger rows after this id (0: every member). */
    evalFrom?: number;
    /** The ledger's highest id when the evaluate phase started (the next run's evalFrom). */
    evalMark?: number;
    /** The catalog and settings when the run started (see fingerprint). */
    fingerprint?: string;
  };
  added: { events: number; achievements: number };
  error: string | null;
  /** Wall time of each phase in this process (ms), for the admin and the benchmark. */
  timings?: { replayMs: number; evaluateMs: number };
  /**
   * Documents (and members, for profiles) the replay read, by path: `sql` were replayed by
   * INSERT … SELECT, `js` were read and turned into events in JavaScript. Per trigger
   * (`uid action event`, and `profiles`): the path it took and its wall time in this
   * process (ms).
   */
  replayed?: {
    sql: number;
    js: number;
    paths: Record<string, 'sql' | 'js'>;
    ms?: Record<string, number>;
  };
  /** Members the evaluate phase judged. */
  evaluated?: number;
}

/**
 * What earlier runs covered, kept in the plugin store (`backfill-marks`) so that a rerun over
 * unchanged data reads almost nothing:
 *
 * - Per trigger (by its definition: editing a trigger starts it over), the highest document id
 *   replayed (`upTo`) and when that run started (`since`). The next run reads the documents
 *   after `upTo`. That is all a `create` or `publish` trigger needs: its key names the document
 *   (and, for publish, the publication instant), the document was judged once as it stood
 *   after its creation — which is what the live trigger judges too; a later edit does not make
 *   it a creation — and every publication in Strapi 5 writes a new row with a new id. An
 *   `update` trigger fires again on every edit, so a document below the mark that was edited
 *   since (updatedAt ≥ since, less a margin for clocks) may now match where it did not
 *   (an enrollment updated to `completed`): those are read again too. Strapi's query engine
 *   stamps updatedAt on every update, so only a raw SQL edit goes unseen (`full: true`).
 * - For profiles, the same over members (their key holds updatedAt, so an edit is a new fact).
 * - For the evaluate phase, the ledger's highest id when it started, a fingerprint of what
 *   judging depends on (the catalog, the streak settings, the retractions) and the newest
 *   achievement, progress and streak row at the end. The next run evaluates only the members
 *   with ledger rows after that id (new facts, replayed or live), unless the fingerprint
 *   changed or one of those rows is gone (the tables were wiped or pruned by hand): then every
 *   member again. Live evaluation judges each new fact as it comes, so for a member with no
 *   new fact a re-evaluation decides nothing new. A run with a `badges` filter judges only
 *   those badges: it evaluates every member and does not advance this mark.
 *
 * Ledger rows are never deleted (the events service relies on it too); after deleting ledger
 * rows, or some achievement or progress rows, by hand, run with `full: true`.
 */
interface ReplayMarks {
  triggers: Record<string, { upTo: number; since: string }>;
  profile?: { upTo: number; since: string; fields: string };
  evaluation?: { ledgerId: number; fingerprint: string; newest: number[] };
}

/** Documents (or members) per page of the JavaScript replay, members per evaluation page. */
const PAGE = 500;
/**
 * Members per evaluation page on SQLite. better-sqlite3 answers synchronously, so a page —
 * its ledger read, the walk and its write transaction — runs without giving the event loop
 * back: 500 members kept live requests waiting 200–600 ms at 100k facts, 100 about 50–120.
 */
const SQLITE_EVALUATE_PAGE = 100;
const CHECKPOINT_MS = 1_000;
/** Pages hand the event loop (and, on SQLite, the one writer) back to live requests in between. */
const yieldToLive = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A run whose owner has not written progress for this long is taken over by the next start. */
const LEASE_MS = 60_000;
/** Rows per multi-row insert (well under every dialect's bound-parameter limit). */
const INSERT_CHUNK = 500;
const REPLAYABLE: Trigger['action'][] = ['create', 'update', 'publish'];
/**
 * The clocks of the processes that stamp updatedAt may differ this much from ours: pass 1
 * reads the documents edited since a minute before the last run started.
 */
const CLOCK_MARGIN_MS = 60_000;
/**
 * Set-based pages are sized to take about this long (ms): on SQLite a statement holds the one
 * writer (and, with better-sqlite3, this process's event loop), so live writes wait that long
 * at most; elsewhere it bounds how long one statement keeps a core.
 */
const SQL_PAGE_MS: Record<Dialect, number> = { sqlite: 40, postgres: 150, mysql: 150 };
const SQL_PAGE_MIN = 500;
const SQL_PAGE_MAX = 50_000;
/** Bump when what a replayed fact holds changes: every trigger is then replayed in full. */
const REPLAY_REVISION = 1;

/** Attribute types a set-based replay reads as text (string-like columns). */
const SQL_TEXT = new Set(['string', 'text', 'richtext', 'uid', 'email', 'enumeration']);

const sha1 = (value: unknown) =>
  crypto.createHash('sha1').update(JSON.stringify(value)).digest('hex');

/**
 * Recalculation (backfill): replays the host's existing data through the triggers, with the same
 * keys live events use (so a fact seen live and replayed counts once), then re-evaluates every
 * member with activity over their whole ledger so awards carry their historical earnedAt.
 * Resumable, one run at a time across processes, safe while the site is live, and a second run
 * adds nothing (and, over unchanged data, reads next to nothing: see ReplayMarks).
 */
const backfillService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'backfill' });
  const marksStore = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'backfill-marks' });
  const config = () => pluginConfig(strapi);
  const owner = () => getService(strapi, 'engine').instance;
  let current: Promise<BackfillState> | null = null;
  let starting = false;

  const save = async (state: BackfillState) => {
    state.updatedAt = new Date().toISOString();
    await store().set({ value: state });
  };
  /** Saves the cursor between pages at most every CHECKPOINT_MS: a resumed run redoes at most
   * that much (every page is idempotent), and the lease stays far from expiring. */
  let savedAt = 0;
  const checkpoint = async (state: BackfillState) => {
    if (Date.now() - savedAt < CHECKPOINT_MS) return;
    await save(state);
    savedAt = Date.now();
  };

  const readMarks = async (): Promise<ReplayMarks> => {
    const value = (await marksStore().get({})) as ReplayMarks | null;
    return value && typeof value === 'object' && value.triggers ? value : { triggers: {} };
  };
  const writeMarks = async (update: (marks: ReplayMarks) => void) => {
    const marks = await readMarks();
    update(marks);
    await marksStore().set({ value: marks });
  };

  const replayable = () =>
    config().triggers.filter((t) => REPLAYABLE.includes(t.action) && !t.retracts);
  const signatureOf = (trigger: Trigger) => sha1([REPLAY_REVISION, trigger]);
  const profileSignature = () => sha1([REPLAY_REVISION, config().profileFields]);
  const labelOf = (trigger: Trigger) => `${trigger.uid} ${trigger.action} ${trigger.event}`;

  /** What judging a member depends on besides their ledger (see ReplayMarks). */
  const fingerprint = async () => {
    const catalog = getService(strapi, 'catalog');
    catalog.invalidate();
    const { defs } = await catalog.get();
    const c = config();
    return sha1({
      defs,
      streaks: await getService(strapi, 'settings').streakOptions(),
      retractions: appEvents(strapi).retractions,
      profileFields: c.profileFields,
      timezoneField: c.timezoneField ?? null,
    });
  };

  /**
   * The newest row of each table the evaluate phase writes (0: none), and whether those rows
   * are all still there: a wipe by hand removes them. One primary-key lookup each (counting
   * a million progress rows took a fifth of a rerun on PostgreSQL).
   */
  const DERIVED = [UID.achievement, UID.progress, UID.streak];
  const newestDerived = async () => {
    const out: number[] = [];
    for (const uid of DERIVED) {
      const [{ max }] = await strapi.db.connection(tableOf(strapi, uid).name).max({ max: 'id' });
      out.push(Number(max ?? 0));
    }
    return out;
  };
  const derivedKept = async (newest: number[] | undefined) => {
    if (!Array.isArray(newest) || newest.length !== DERIVED.length) return false;
    for (const [i, uid] of DERIVED.entries()) {
      if (!(newest[i] > 0)) continue;
      const row = await strapi.db
        .connection(tableOf(strapi, uid).name)
        .first('id')
        .where('id', newest[i]);
      if (!row) return false;
    }
    return true;
  };

  interface Replayed {
    type: string;
    userId: number;
    key: string;
    occurredAt: number;
    actorId?: number | null;
    subject?: string | null;
    data?: Record<string, unknown>;
  }

  /**
   * Writes a page of replayed facts as processed (the evaluate phase judges them, silently if
   * asked) and returns how many were new, in multi-row inserts the unique key index refuses
   * row by row (facts already in the ledger, live or replayed before). On SQLite the keys
   * already there are read first, so a rerun does not even take the one write lock live
   * writes need; PostgreSQL and MariaDB check the index before writing a row anyway.
   */
  const insertReplayed = async (events: Replayed[]): Promise<number> => {
    const t = tableOf(strapi, UID.event);
    const knex = strapi.db.connection;
    const keyCol = t.col('key');
    const unique = new Map<string, Replayed>();
    for (const e of events) if (!unique.has(e.key)) unique.set(e.key, e);
    let added = 0;
    const precheck = dialectOf(strapi) === 'sqlite';
    const list = [...unique.values()];
    for (let i = 0; i < list.length; i += INSERT_CHUNK) {
      const part = list.slice(i, i + INSERT_CHUNK);
      const existing = new Set<string>(
        precheck
          ? (
              await knex(t.name)
                .select(keyCol)
                .whereIn(
                  keyCol,
                  part.map((e) => e.key)
                )
            ).map((r: any) => r[keyCol] as string)
          : []
      );
      const now = new Date();
      const rows = bulkRows(
        t,
        part
          .filter((e) => !existing.has(e.key))
          .map((event) => ({
            key: event.key,
            type: event.type,
            userId: event.userId,
            actorId: event.actorId ?? null,
            subject: event.subject ?? null,
            occurredAt: new Date(event.occurredAt),
            processedAt: now,
            claimedAt: null,
            claimedBy: null,
            attempts: 0,
            source: 'backfill',
            data: toJson(event.data ?? null),
          })),
        now
      );
      if (rows.length === 0) continue;
      added += (
        await insertMany(strapi, knex, t.name, rows, { conflict: [keyCol], returning: 'id' })
      ).count;
    }
    return added;
  };

  /**
   * One page of a trigger's documents, as the document service would return them (published
   * versions under draft & publish). Through the query engine, which the document service's
   * findMany ends in, without its per-call parameter pipeline; localized content types keep the
   * document service, which also picks the default locale. `since`: only those updated since.
   */
  const replayPage = async (
    trigger: Trigger,
    lastId: number,
    upTo: number,
    populate: unknown,
    since: Date | null
  ) => {
    const model = strapi.getModel(trigger.uid as any) as any;
    const dp = model.options?.draftAndPublish === true;
    const updated = since ? { updatedAt: { $gte: since } } : {};
    if (model.pluginOptions?.i18n?.localized === true) {
      return (await (strapi.documents(trigger.uid as any) as any).findMany({
        populate,
        filters: { id: { $gt: lastId, $lte: upTo }, ...updated },
        sort: 'id:asc',
        limit: PAGE,
        ...(dp ? { status: 'published' } : {}),
      })) as Array<Record<string, any>>;
    }
    return (await strapi.db.query(trigger.uid as any).findMany({
      where: {
        id: { $gt: lastId, $lte: upTo },
        ...updated,
        ...(dp ? { publishedAt: { $notNull: true } } : {}),
      },
      orderBy: { id: 'asc' },
      limit: PAGE,
      populate: populate as any,
    })) as Array<Record<string, any>>;
  };

  /**
   * A raw-knex page reader for a trigger whose every path is a plain attribute of the document
   * or a one-level many-to-one / one-to-one relation (read as { id, documentId }), which is what
   * most triggers are (the user, the lesson, the completion date). It returns what the query
   * engine would for those paths, without populating whole related rows and transforming every
   * field. null when a path goes further (e.g. `post.author`), goes through media or components,
   * needs a value the raw row would give in another shape (dates, decimals, JSON), or would read
   * the id of a draft & publish relation target: those triggers keep the query engine.
   * (Such a trigger is normally replayed set-based, see sqlReplayFor; this reader is what it
   * falls back to where the statement cannot be built.)
   */
  const rawReaderFor = (trigger: Trigger) => {
    const plan = getService(strapi, 'triggers').rawPlanFor(trigger);
    if (!plan) return null;
    const { t, stamps, scalars, booleans, relations, dp } = plan;
    const knex = strapi.db.connection;

    return async (
      lastId: number,
      upTo: number,
      limit: number,
      since: Date | null
    ): Promise<Array<Record<string, any>>> => {
      const query = knex(t.name)
        .select(
          'id',
          ...stamps.map((a) => t.col(a)),
          ...scalars.values(),
          ...[...relations.values()].filter((m) => m.joinColumn).map((m) => m.joinColumn.name)
        )
        .where('id', '>', lastId)
        .where('id', '<=', upTo)
        .orderBy('id')
        .limit(limit);
      if (dp) query.whereNotNull(t.col('publishedAt'));
      if (since) query.where(t.col('updatedAt'), '>=', since);
      const rows = (await query) as any[];
      const docs = rows.map((r) => {
        const doc: Record<string, any> = { id: r.id };
        for (const a of stamps) doc[a] = r[t.col(a)];
        for (const [a, column] of scalars) {
          const v = r[column];
          doc[a] = booleans.has(a) && v !== null && v !== undefined ? Boolean(v) : v;
        }
        return doc;
      });
      for (const [name, m] of relations) {
        const target = tableOf(strapi, m.targetUid);
        const linked = new Map<unknown, { id: number; documentId: string }>();
        if (m.joinColumn) {
          const refs = [...new Set(rows.map((r) => r[m.joinColumn.name]).filter((v) => v != null))];
          const ref = m.joinColumn.referencedColumn ?? 'id';
          const found = refs.length
            ? await knex(target.name).select(ref, 'id', target.col('documentId')).whereIn(ref, refs)
            : [];
          const byRef = new Map(found.map((f: any) => [f[ref], f]));
          rows.forEach((r, i) => {
            const f: any = byRef.get(r[m.joinColumn.name]);
            docs[i][name] = f ? { id: f.id, documentId: f[target.col('documentId')] } : null;
          });
          continue;
        }
        const jt = m.joinTable;
        const src = jt.joinColumn.referencedColumn ?? 'id';
        const ids = rows.map((r) => r[src]);
        const found = ids.length
          ? await knex(jt.name)
              .join(
                target.name,
                `${target.name}.${jt.inverseJoinColumn.referencedColumn ?? 'id'}`,
                `${jt.name}.${jt.inverseJoinColumn.name}`
              )
              .select(
                `${jt.name}.${jt.joinColumn.name} as src`,
                `${target.name}.id as id`,
                `${target.name}.${target.col('documentId')} as documentId`
              )
              .whereIn(`${jt.name}.${jt.joinColumn.name}`, ids)
              .orderBy(`${jt.name}.id`)
          : [];
        for (const f of found as any[])
          if (!linked.has(f.src)) linked.set(f.src, { id: f.id, documentId: f.documentId });
        rows.forEach((r, i) => {
          docs[i][name] = linked.get(r[src]) ?? null;
        });
      }
      return docs;
    };
  };

  /**
   * The set-based replay of a trigger: one `INSERT INTO <ledger> … SELECT … FROM <documents>
   * LEFT JOIN <link tables> … WHERE id in a range` per page, skipping keys the ledger holds
   * (ON CONFLICT DO NOTHING / INSERT IGNORE on the unique key), for a trigger whose paths are
   * columns of the document and one-level to-one relations (triggers.rawPlanFor). Every column
   * is what toEvent + insertReplayed would write for the same document, built in SQL:
   *
   * - key `type:uid:documentId` (publish: `:<publishedAt epoch ms>`), as triggers.keyFor;
   * - user and actor: the relation's id or an integer column, the first path that resolves;
   *   no user, or the actor crediting themself (ignoreSelf), writes nothing;
   * - subject: the relation's documentId or the column as text (default: the documentId);
   * - occurredAt: the trigger's occurredAt column, else the create / update / publish stamp;
   * - data: a JSON object of the data paths (the JSON null without any);
   * - when: strict equality, as `scalarOf(value) !== expected` (a string never equals a
   *   number; MariaDB compares bytes, not its case-insensitive collation);
   * - a relation held by several link rows (to the draft and the published row of a draft &
   *   publish target) reads the first link, as the raw reader does;
   * - documentId: `r` + 11 characters unique to the statement + the source row id in hex (24
   *   lower-case letters and digits, a letter first, unique without a random source).
   *
   * null when a path needs what SQL cannot say the same way (a member or actor from a text
   * column, a link not on `id`, a publish trigger without draft & publish, the key's instant
   * on MySQL/MariaDB off UTC): the trigger keeps the JavaScript replay, as does every trigger
   * rawPlanFor has no plan for (deeper paths, media, components, JSON, localized types).
   */
  const sqlReplayFor = (trigger: Trigger) => {
    const plan = getService(strapi, 'triggers').rawPlanFor(trigger);
    if (!plan) return null;
    const d = dialectOf(strapi);
    const q = (id: string) => quoteId(d, id);
    const model = strapi.getModel(trigger.uid as any) as any;
    const { t, relations, dp } = plan;
    if (trigger.action === 'publish' && !dp) return null;
    const ev = tableOf(strapi, UID.event);
    const col = (a: string) => `s.${q(t.col(a))}`;
    const textType = d === 'mysql' ? 'CHAR' : d === 'postgres' ? 'VARCHAR' : 'TEXT';
    const concat = (parts: string[]) =>
      d === 'mysql' ? `CONCAT(${parts.join(', ')})` : `(${parts.join(' || ')})`;
    const param = (type: string) => (d === 'postgres' ? `CAST(? AS ${type})` : '?');

    // Relations: the first link row of each document (by link id), then its target.
    const AFTER = Symbol('after');
    const TO = Symbol('to');
    const joins: string[] = [];
    const joinBindings: unknown[] = [];
    const rel = new Map<string, { id: string; doc: string }>();
    let ok = true;
    [...relations.entries()].forEach(([name, m], i) => {
      const target = tableOf(strapi, m.targetUid);
      const r = `r${i}`;
      if (m.joinColumn) {
        const ref = m.joinColumn.referencedColumn ?? 'id';
        if (ref !== 'id') ok = false;
        joins.push(
          `LEFT JOIN ${q(target.name)} ${r} ON ${r}.${q(ref)} = s.${q(m.joinColumn.name)}`
        );
      } else {
        const jt = m.joinTable;
        if ((jt.joinColumn.referencedColumn ?? 'id') !== 'id') ok = false;
        const jc = q(jt.joinColumn.name);
        joins.push(
          `LEFT JOIN (SELECT l.${jc} AS src, MIN(l.id) AS lid FROM ${q(jt.name)} l ` +
            `WHERE l.${jc} > ? AND l.${jc} <= ? GROUP BY l.${jc}) m${i} ON m${i}.src = s.id`,
          `LEFT JOIN ${q(jt.name)} j${i} ON j${i}.id = m${i}.lid`,
          `LEFT JOIN ${q(target.name)} ${r} ON ${r}.${q(jt.inverseJoinColumn.referencedColumn ?? 'id')} = j${i}.${q(jt.inverseJoinColumn.name)}`
        );
        joinBindings.push(AFTER, TO);
      }
      rel.set(name, { id: `${r}.id`, doc: `${r}.${q(target.col('documentId'))}` });
    });
    if (!ok) return null;

    const typeOf = (path: string): string => model.attributes[path]?.type;
    const isTrue = (c: string) => (d === 'sqlite' ? `${c} <> 0` : d === 'mysql' ? `${c} = 1` : c);
    /** idOf(value of path): a relation's id or an integer column; null: not expressible. */
    const idExpr = (path: string): string | null => {
      if (rel.has(path)) return rel.get(path)!.id;
      return typeOf(path) === 'integer' ? col(path) : null;
    };
    /** String(scalarOf(value of path)) or NULL. */
    const textExpr = (path: string): string | null => {
      if (rel.has(path)) return rel.get(path)!.doc;
      const type = typeOf(path);
      if (SQL_TEXT.has(type)) return col(path);
      if (type === 'integer') return `CAST(${col(path)} AS ${textType})`;
      if (type === 'boolean')
        return `(CASE WHEN ${col(path)} IS NULL THEN NULL WHEN ${isTrue(col(path))} THEN 'true' ELSE 'false' END)`;
      return null;
    };
    /** scalarOf(value of path) as a JSON value. */
    const jsonExpr = (path: string): string | null => {
      if (rel.has(path)) return rel.get(path)!.doc;
      const type = typeOf(path);
      if (SQL_TEXT.has(type) || type === 'integer') return col(path);
      if (type !== 'boolean') return null;
      const c = col(path);
      if (d === 'postgres') return c;
      if (d === 'sqlite')
        return `json(CASE WHEN ${c} IS NULL THEN 'null' WHEN ${c} <> 0 THEN 'true' ELSE 'false' END)`;
      return `(CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} = 1 THEN JSON_EXTRACT('true', '$') ELSE JSON_EXTRACT('false', '$') END)`;
    };
    const coalesce = (list: Array<string | null>) =>
      list.some((e) => e === null)
        ? null
        : list.length === 1
          ? list[0]!
          : `COALESCE(${list.join(', ')})`;

    const userExpr = coalesce([trigger.user].flat().map(idExpr));
    const actorExpr = trigger.actor
      ? idExpr(trigger.actor)
      : d === 'postgres'
        ? 'CAST(NULL AS INTEGER)'
        : 'NULL';
    const subjectExpr = trigger.subject
      ? coalesce([trigger.subject].flat().map(textExpr))
      : col('documentId');
    if (userExpr === null || actorExpr === null || subjectExpr === null) return null;

    // when: scalarOf(value) === expected, strictly.
    const where: string[] = [];
    const whereBindings: unknown[] = [];
    for (const [path, expected] of Object.entries(trigger.when ?? {})) {
      const type = rel.has(path) ? 'relation' : typeOf(path);
      const value = rel.has(path) ? rel.get(path)!.doc : col(path);
      if (expected === null) where.push(`${value} IS NULL`);
      else if (typeof expected === 'boolean' && type === 'boolean')
        where.push(`${value} IS NOT NULL AND ${expected ? '' : 'NOT '}(${isTrue(value)})`);
      else if (
        typeof expected === 'number' &&
        type === 'integer' &&
        Number.isSafeInteger(expected)
      ) {
        where.push(`${value} = ?`);
        whereBindings.push(expected);
      } else if (typeof expected === 'string' && (type === 'relation' || SQL_TEXT.has(type))) {
        where.push(d === 'mysql' ? `BINARY ${value} = ?` : `${value} = ?`);
        whereBindings.push(expected);
      } else where.push('1 = 0');
    }

    // data: { path: scalarOf(value) } as JSON (a key once, in order, as Object.fromEntries).
    const dataPaths = [...new Set(trigger.data ?? [])];
    let dataExpr = d === 'postgres' ? `CAST('null' AS JSONB)` : `'null'`;
    if (dataPaths.length) {
      const pairs: string[] = [];
      for (const path of dataPaths) {
        const value = jsonExpr(path);
        if (value === null) return null;
        pairs.push(`'${path}'`, value);
      }
      const fn =
        d === 'postgres' ? 'jsonb_build_object' : d === 'mysql' ? 'JSON_OBJECT' : 'json_object';
      dataExpr = `${fn}(${pairs.join(', ')})`;
    }

    // occurredAt: the trigger's instant, else the action's stamp, else now (as toEvent).
    const stamp =
      trigger.action === 'publish'
        ? 'publishedAt'
        : trigger.action === 'create'
          ? 'createdAt'
          : 'updatedAt';
    const NOW = Symbol('now');
    const instants = [
      ...(trigger.occurredAt ? [sqlInstant(d, col(trigger.occurredAt)).instant] : []),
      sqlInstant(d, col(stamp)).instant,
      param('TIMESTAMP'),
    ];
    const occurredExpr = `COALESCE(${instants.join(', ')})`;

    // key: as triggers.keyFor.
    const keyParts = [param('VARCHAR'), col('documentId')];
    if (trigger.action === 'publish') {
      const ms = sqlInstant(d, col('publishedAt')).epochMs;
      if (ms === null) return null;
      keyParts.push(`':'`, ms);
    }

    const PREFIX = Symbol('prefix');
    const ID_PREFIX = Symbol('idPrefix');
    const SINCE = Symbol('since');
    const hex =
      d === 'sqlite'
        ? `printf('%012x', x.sid)`
        : d === 'postgres'
          ? `lpad(to_hex(x.sid), 12, '0')`
          : `LPAD(LOWER(HEX(x.sid)), 12, '0')`;
    const filters = (since: boolean) =>
      [
        `s.id > ?`,
        `s.id <= ?`,
        ...(dp ? [`${col('publishedAt')} IS NOT NULL`] : []),
        ...(since ? [`${col('updatedAt')} >= ?`] : []),
      ].join(' AND ');
    const evCols = [
      'documentId',
      'key',
      'type',
      'userId',
      'actorId',
      'subject',
      'occurredAt',
      'processedAt',
      'claimedAt',
      'claimedBy',
      'attempts',
      'source',
      'data',
      'createdAt',
      'updatedAt',
      'publishedAt',
    ].map((a) => q(ev.col(a)));
    const statement = (since: boolean) => {
      const ts = param('TIMESTAMP');
      const inner =
        `SELECT s.id AS sid, ${concat(keyParts)} AS k, ${userExpr} AS u, ${actorExpr} AS a, ` +
        `${subjectExpr} AS sub, ${occurredExpr} AS occ, ${dataExpr} AS dat ` +
        `FROM ${q(t.name)} s ${joins.join(' ')} WHERE ${filters(since)}` +
        (where.length ? ` AND ${where.map((w) => `(${w})`).join(' AND ')}` : '');
      const selfCheck =
        trigger.actor && trigger.ignoreSelf !== false ? ' AND (x.a IS NULL OR x.a <> x.u)' : '';
      const select =
        `SELECT ${concat([param('VARCHAR'), hex])}, x.k, ${param('VARCHAR')}, x.u, x.a, x.sub, ` +
        `x.occ, ${ts}, NULL, NULL, 0, 'backfill', x.dat, ${ts}, ${ts}, ${ts} ` +
        `FROM (${inner}) x WHERE x.u IS NOT NULL${selfCheck}`;
      const sql =
        d === 'mysql'
          ? `INSERT IGNORE INTO ${q(ev.name)} (${evCols.join(', ')}) ${select}`
          : `INSERT INTO ${q(ev.name)} (${evCols.join(', ')}) ${select} ` +
            `ON CONFLICT (${q(ev.col('key'))}) DO NOTHING`;
      // Bindings in the order their `?` appear.
      const bindings: unknown[] = [
        ID_PREFIX,
        trigger.event,
        NOW,
        NOW,
        NOW,
        NOW,
        PREFIX, // key prefix (keyParts[0])
        NOW, // occurredExpr's last resort
        ...joinBindings,
        AFTER,
        TO,
        ...(since ? [SINCE] : []),
        ...whereBindings,
      ];
      return { sql, bindings };
    };
    // The `?` order above follows the text: the outer select's id prefix, type and now ×4 come
    // before the inner select's key prefix and now; checked once here rather than trusted.
    const built = new Map<boolean, { sql: string; bindings: unknown[] }>();
    const get = (since: boolean) => {
      let s = built.get(since);
      if (!s) {
        s = statement(since);
        const marks = (s.sql.match(/\?/g) ?? []).length;
        if (marks !== s.bindings.length)
          throw new Error(
            `achievements: replay statement for ${labelOf(trigger)} has ${marks} placeholders for ${s.bindings.length} values`
          );
        built.set(since, s);
      }
      return s;
    };
    let statementSeq = 0;
    const keyPrefix = `${trigger.event}:${trigger.uid}:`;
    const tables = [
      t.name,
      ...[...relations.values()].flatMap((m) => [
        ...(m.joinTable ? [m.joinTable.name] : []),
        tableOf(strapi, m.targetUid).name,
      ]),
    ];
    return {
      /** The tables the statement reads. */
      tables,
      /**
       * Replays the documents with id in (after, to] (and updatedAt ≥ since when given);
       * returns how many facts were new to the ledger.
       */
      async insert(after: number, to: number, since: Date | null): Promise<number> {
        const { sql, bindings } = get(since !== null);
        statementSeq = (statementSeq + 1) % 1296;
        const idPrefix = `r${Date.now().toString(36).padStart(9, '0').slice(-9)}${statementSeq
          .toString(36)
          .padStart(2, '0')}`;
        const now = new Date();
        const values = bindings.map((b) =>
          b === AFTER
            ? after
            : b === TO
              ? to
              : b === NOW
                ? now
                : b === SINCE
                  ? since
                  : b === PREFIX
                    ? keyPrefix
                    : b === ID_PREFIX
                      ? idPrefix
                      : b
        );
        return rawChanges(strapi, await strapi.db.connection.raw(sql, values as any[]));
      },
    };
  };

  /**
   * PostgreSQL plans a set-based statement from the statistics of the tables it reads: without
   * any (a table bulk-loaded since its last ANALYZE), it nests loops over the link tables and a
   * page costs seconds instead of milliseconds. Tables never analyzed, or changed by more than
   * half since, are analyzed first (ANALYZE blocks neither reads nor writes; autovacuum would
   * get there too, later).
   */
  const freshStatistics = async (tables: string[]) => {
    if (dialectOf(strapi) !== 'postgres') return;
    const { rows } = await strapi.db.connection.raw(
      `SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() ` +
        `AND relname = ANY(?) AND ((last_analyze IS NULL AND last_autoanalyze IS NULL) ` +
        `OR n_mod_since_analyze > GREATEST(n_live_tup / 2, 1000))`,
      [tables]
    );
    for (const { relname } of rows) await strapi.db.connection.raw('ANALYZE ??', [relname]);
  };

  /**
   * SQLite keeps 2 MB of pages per connection by default: the ledger's unique key index alone
   * outgrows that within the first 100k facts, and every insert then reads its pages back from
   * the operating system. The replay asks for 64 MB while it runs (the host's one connection;
   * restored after) — a third off the set-based statements at 100k facts.
   */
  const withPageCache = async <T>(run: () => Promise<T>): Promise<T> => {
    if (dialectOf(strapi) !== 'sqlite') return run();
    const knex = strapi.db.connection;
    const [{ cache_size: before }] = (await knex.raw('PRAGMA cache_size')) as any[];
    const wanted = -65_536;
    if (Number(before) <= wanted || Number(before) > 16_384) return run();
    await knex.raw(`PRAGMA cache_size = ${wanted}`);
    try {
      return await run();
    } finally {
      await knex.raw(`PRAGMA cache_size = ${Number(before)}`);
    }
  };

  /**
   * The end of the next page of a trigger's documents: ids in (after, upTo], published ones
   * under draft & publish, updated since `since` when given; at most `limit`. Returns the last
   * id and how many documents the page holds (0: none left).
   */
  const pageEnd = async (
    trigger: Trigger,
    after: number,
    upTo: number,
    limit: number,
    since: Date | null
  ): Promise<{ last: number; n: number }> => {
    const t = tableOf(strapi, trigger.uid);
    const model = strapi.getModel(trigger.uid as any) as any;
    const query = strapi.db
      .connection(t.name)
      .select('id')
      .where('id', '>', after)
      .where('id', '<=', upTo)
      .orderBy('id')
      .limit(limit);
    if (model.options?.draftAndPublish === true) query.whereNotNull(t.col('publishedAt'));
    if (since) query.where(t.col('updatedAt'), '>=', since);
    const [row] = (await strapi.db.connection
      .from(query.as('p'))
      .max({ last: 'id' })
      .count({ n: '*' })) as any[];
    return { last: Number(row?.last ?? 0), n: Number(row?.n ?? 0) };
  };

  /** How many documents a pass will read (the progress bar's total). */
  const countDocs = async (trigger: Trigger, after: number, upTo: number, since: Date | null) => {
    const model = strapi.getModel(trigger.uid as any) as any;
    if (!model) return 0;
    const t = tableOf(strapi, trigger.uid);
    const query = strapi.db.connection(t.name).where('id', '>', after).where('id', '<=', upTo);
    if (model.options?.draftAndPublish === true) query.whereNotNull(t.col('publishedAt'));
    if (since) query.where(t.col('updatedAt'), '>=', since);
    const [{ n }] = await query.count({ n: '*' });
    return Number(n);
  };

  /** triggers.profileEventFor, for a member already loaded with the profile fields populated. */
  const profileEventOf = (user: Record<string, any>): Replayed => {
    const fields = config().profileFields;
    const at =
      user.updatedAt === null || user.updatedAt === undefined
        ? NaN
        : new Date(user.updatedAt).getTime();
    const occurredAt = Number.isNaN(at) ? Date.now() : at;
    return {
      type: PROFILE_EVENT,
      userId: user.id as number,
      key: `${PROFILE_EVENT}:${UID.user}:${user.documentId}:${occurredAt}`,
      occurredAt,
      subject: user.documentId as string,
      data: { fields: Object.fromEntries(fields.map((f) => [f, isFilled(user[f])])) },
    };
  };

  /** The two passes of a trigger (or of the members' profiles): [after, upTo, since] each. */
  const passesOf = (from: number, upTo: number, since: string | null) => {
    const passes: Array<[number, number, Date | null]> = [[from, upTo, null]];
    if (from > 0 && since) passes.push([0, Math.min(from, upTo), new Date(since)]);
    return passes;
  };

  const replayTrigger = async (state: BackfillState, i: number, trigger: Trigger) => {
    const replayed = state.replayed!;
    const triggers = getService(strapi, 'triggers');
    const upTo = state.cursor.upTo?.[i] ?? Number.MAX_SAFE_INTEGER;
    const passes = passesOf(state.cursor.from?.[i] ?? 0, upTo, state.cursor.since?.[i] ?? null);
    const sql = sqlReplayFor(trigger);
    replayed.paths[labelOf(trigger)] = sql ? 'sql' : 'js';
    const populate = sql ? undefined : triggers.populateFor(trigger.uid, [trigger]);
    const raw = sql ? null : rawReaderFor(trigger);
    if (sql) await freshStatistics(sql.tables);
    const target = SQL_PAGE_MS[dialectOf(strapi)];
    let size = 2_000;
    for (let p = state.cursor.pass ?? 0; p < passes.length; p += 1) {
      const [from, to, since] = passes[p];
      if (state.cursor.lastId < from) state.cursor.lastId = from;
      for (;;) {
        if (sql) {
          const page = await pageEnd(trigger, state.cursor.lastId, to, size, since);
          if (page.n === 0) break;
          const t0 = Date.now();
          state.added.events += await sql.insert(state.cursor.lastId, page.last, since);
          // The next page takes about SQL_PAGE_MS (at most twice the size, at least half).
          const factor = Math.min(2, Math.max(0.5, target / Math.max(1, Date.now() - t0)));
          size = Math.round(Math.min(SQL_PAGE_MAX, Math.max(SQL_PAGE_MIN, size * factor)));
          state.cursor.lastId = page.last;
          state.processed += page.n;
          replayed.sql += page.n;
        } else {
          const docs = raw
            ? await raw(state.cursor.lastId, to, PAGE, since)
            : await replayPage(trigger, state.cursor.lastId, to, populate, since);
          if (docs.length === 0) break;
          const events: Replayed[] = [];
          for (const doc of docs) {
            const event = triggers.toEvent(trigger, doc, doc.documentId);
            if (event) events.push(event);
          }
          state.added.events += await insertReplayed(events);
          state.cursor.lastId = docs[docs.length - 1].id;
          state.processed += docs.length;
          replayed.js += docs.length;
        }
        await checkpoint(state);
        await yieldToLive();
      }
      if (p + 1 < passes.length) {
        state.cursor.pass = 1;
        state.cursor.lastId = 0;
      }
    }
  };

  const replayProfiles = async (state: BackfillState) => {
    const fields = config().profileFields;
    const userModel = strapi.getModel(UID.user) as any;
    const populate = fields.filter((f) =>
      ['relation', 'media', 'component'].includes(userModel.attributes[f]?.type)
    );
    const upTo = state.cursor.profileUpTo ?? Number.MAX_SAFE_INTEGER;
    const passes = passesOf(state.cursor.profileFrom ?? 0, upTo, state.cursor.profileSince ?? null);
    for (let p = state.cursor.pass ?? 0; p < passes.length; p += 1) {
      const [from, to, since] = passes[p];
      if ((state.cursor.profileId ?? 0) < from) state.cursor.profileId = from;
      for (;;) {
        const users = (await strapi.db.query(UID.user).findMany({
          where: {
            id: { $gt: state.cursor.profileId ?? 0, $lte: to },
            ...(since ? { updatedAt: { $gte: since } } : {}),
          },
          orderBy: { id: 'asc' },
          limit: PAGE,
          populate,
        })) as Array<Record<string, any>>;
        if (users.length === 0) break;
        state.added.events += await insertReplayed(users.map(profileEventOf));
        state.cursor.profileId = users[users.length - 1].id;
        state.processed += users.length;
        state.replayed!.js += users.length;
        await checkpoint(state);
        await yieldToLive();
      }
      if (p + 1 < passes.length) {
        state.cursor.pass = 1;
        state.cursor.profileId = 0;
      }
    }
  };

  /**
   * The members the evaluate phase takes: every member with activity (evalFrom 0: read in
   * pages, see below), or only those with ledger rows after evalFrom (read once: a range of the
   * primary key, few rows on a rerun). Returns the next page after `after`, in id order.
   */
  const memberPages = async (evalFrom: number) => {
    const t = tableOf(strapi, UID.event);
    if (evalFrom > 0) {
      const rows = await strapi.db
        .connection(t.name)
        .distinct(t.col('userId'))
        .where('id', '>', evalFrom);
      const all = (rows as any[]).map((r) => Number(r[t.col('userId')])).sort((a, b) => a - b);
      return async (after: number, size: number) => {
        const at = all.findIndex((id) => id > after);
        return at < 0 ? [] : all.slice(at, at + size);
      };
    }
    return async (after: number, size: number) => {
      // The next members with activity, read in index order rather than with DISTINCT (which
      // PostgreSQL, lacking a loose index scan, may answer by aggregating every later row).
      const window = await strapi.db
        .connection(t.name)
        .select(t.col('userId'))
        .where(t.col('userId'), '>', after)
        .orderBy(t.col('userId'))
        .limit(size * 20);
      const ids: number[] = [];
      for (const r of window as any[]) {
        const id = Number(r[t.col('userId')]);
        if (ids[ids.length - 1] !== id) ids.push(id);
        if (ids.length === size) break;
      }
      return ids;
    };
  };

  const execute = async (state: BackfillState): Promise<BackfillState> => {
    const catalog = await getService(strapi, 'catalog').get();
    const only = state.badges
      ? catalog.defs.filter((b) => state.badges!.includes(b.slug))
      : undefined;
    const list = replayable();
    const timings = (state.timings ??= { replayMs: 0, evaluateMs: 0 });
    const replayed = (state.replayed ??= { sql: 0, js: 0, paths: {} });
    let phaseStart = Date.now();
    try {
      // Phase 1: replay host documents.
      if (state.phase === 'replay') {
        await withPageCache(async () => {
          const took = (replayed.ms ??= {});
          for (
            ;
            state.cursor.trigger < list.length;
            state.cursor.trigger += 1, state.cursor.lastId = 0, state.cursor.pass = 0
          ) {
            const i = state.cursor.trigger;
            const trigger = list[i];
            if (!strapi.getModel(trigger.uid as any)) continue;
            const t0 = Date.now();
            await replayTrigger(state, i, trigger);
            took[labelOf(trigger)] = (took[labelOf(trigger)] ?? 0) + Date.now() - t0;
            const upTo = Math.max(state.cursor.upTo?.[i] ?? 0, state.cursor.from?.[i] ?? 0);
            await writeMarks((marks) => {
              marks.triggers[signatureOf(trigger)] = { upTo, since: state.startedAt };
            });
          }
          if (!state.cursor.users) {
            const t0 = Date.now();
            await replayProfiles(state);
            took.profiles = (took.profiles ?? 0) + Date.now() - t0;
            state.cursor.users = true;
            state.cursor.pass = 0;
            const upTo = Math.max(state.cursor.profileUpTo ?? 0, state.cursor.profileFrom ?? 0);
            await writeMarks((marks) => {
              marks.profile = { upTo, since: state.startedAt, fields: profileSignature() };
            });
            await save(state);
          }
        });
        timings.replayMs += Date.now() - phaseStart;
        phaseStart = Date.now();
        state.phase = 'evaluate';
        const t = tableOf(strapi, UID.event);
        const [{ max }] = await strapi.db.connection(t.name).max({ max: 'id' });
        state.cursor.evalMark = Number(max ?? 0);
        await save(state);
      }

      // Phase 2: re-evaluate every member with activity (or, on a rerun, with new facts),
      // oldest fact first, a page of members at a time (one ordered ledger read, one short
      // write transaction per page).
      const t = tableOf(strapi, UID.event);
      const bulk = getService(strapi, 'bulk');
      // The ledger just grew by the replay: fresh statistics keep PostgreSQL's plans for the
      // reads below on the indexes (autovacuum would get there, later).
      if (dialectOf(strapi) === 'postgres' && state.added.events > 0)
        await strapi.db.connection.raw('ANALYZE ??', [t.name]);
      const nextMembers = await memberPages(state.cursor.evalFrom ?? 0);
      const size = dialectOf(strapi) === 'sqlite' ? SQLITE_EVALUATE_PAGE : PAGE;
      for (;;) {
        const ids = await nextMembers(state.cursor.lastUserId, size);
        if (ids.length === 0) break;
        const { earned } = await bulk.recalculateMembers(ids, { only, notify: state.notify });
        state.added.achievements += earned;
        state.cursor.lastUserId = ids[ids.length - 1];
        state.processed += ids.length;
        state.evaluated = (state.evaluated ?? 0) + ids.length;
        await checkpoint(state);
        await yieldToLive();
      }
      if (!state.badges) {
        const newest = await newestDerived();
        await writeMarks((marks) => {
          marks.evaluation = {
            ledgerId: state.cursor.evalMark ?? 0,
            fingerprint: state.cursor.fingerprint ?? '',
            newest,
          };
        });
      }
      timings.evaluateMs += Date.now() - phaseStart;
      state.status = 'done';
      state.phase = 'done';
      state.finishedAt = new Date().toISOString();
      // The totals counted at the start are estimates (members gain ledger rows in the replay).
      state.total = state.processed = Math.max(state.total, state.processed);
    } catch (error) {
      state.status = 'failed';
      state.error = (error as Error).message;
      strapi.log.error(`achievements: recalculation failed: ${(error as Error).stack ?? error}`);
    }
    await save(state);
    return state;
  };

  return {
    async status(): Promise<BackfillState | null> {
      return ((await store().get({})) as BackfillState | null) ?? null;
    },

    /**
     * Starts a run (or resumes an abandoned one) and resolves when it is finished.
     * `full`: replay every document and evaluate every member, whatever earlier runs covered.
     */
    async run(opts: { badges?: string[]; notify?: boolean; full?: boolean } = {}) {
      return (await this.start(opts)).done;
    },

    /** Starts a run in the background; `done` resolves with its final state. */
    async start(opts: { badges?: string[]; notify?: boolean; full?: boolean } = {}) {
      if (current || starting)
        throw new errors.ApplicationError('a recalculation is already running');
      // Claimed before the first await, so two calls at the same moment cannot both start.
      starting = true;
      try {
        return await begin(opts);
      } finally {
        starting = false;
      }
    },
  };

  async function begin(opts: { badges?: string[]; notify?: boolean; full?: boolean }) {
    const previous = ((await store().get({})) as BackfillState | null) ?? null;
    const stale = previous && Date.now() - new Date(previous.updatedAt).getTime() > LEASE_MS;
    if (previous?.status === 'running' && !stale) {
      throw new errors.ApplicationError('a recalculation is already running');
    }
    if (opts.badges) {
      const catalog = await getService(strapi, 'catalog').get();
      const unknown = opts.badges.filter((slug) => !catalog.defs.some((b) => b.slug === slug));
      if (unknown.length) {
        throw new errors.ValidationError(`badges: unknown badge ${unknown.join(', ')}`, {
          errors: [{ path: 'badges', message: `unknown badge ${unknown.join(', ')}` }],
        });
      }
    }
    const resume = previous?.status === 'running' && stale;
    const state: BackfillState = resume
      ? { ...previous!, owner: owner() }
      : {
          id: `${Date.now()}`,
          status: 'running',
          phase: 'replay',
          badges: opts.badges ?? null,
          notify: opts.notify ?? false,
          full: opts.full ?? false,
          total: 0,
          processed: 0,
          startedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          finishedAt: null,
          owner: owner(),
          cursor: { trigger: 0, lastId: 0, users: false, lastUserId: 0, pass: 0 },
          added: { events: 0, achievements: 0 },
          error: null,
          replayed: { sql: 0, js: 0, paths: {} },
          evaluated: 0,
        };
    if (!resume) await plan(state);
    await save(state);
    current = execute(state).finally(() => {
      current = null;
    });
    return { state, done: current };
  }

  /** Where this run starts from (the marks of earlier runs, see ReplayMarks) and its total. */
  async function plan(state: BackfillState) {
    const marks = state.full ? { triggers: {} as ReplayMarks['triggers'] } : await readMarks();
    const sinceOf = (since: string) =>
      new Date(new Date(since).getTime() - CLOCK_MARGIN_MS).toISOString();
    const maxId = async (uid: string) => {
      if (!strapi.getModel(uid as any)) return 0;
      const [{ max }] = await strapi.db.connection(tableOf(strapi, uid).name).max({ max: 'id' });
      return Number(max ?? 0);
    };
    const cursor = state.cursor;
    cursor.upTo = [];
    cursor.from = [];
    cursor.since = [];
    let total = 0;
    for (const trigger of replayable()) {
      const upTo = await maxId(trigger.uid);
      const mark = marks.triggers[signatureOf(trigger)];
      const from = mark ? Math.min(mark.upTo, upTo) : 0;
      // See ReplayMarks: only an update trigger reads older documents again, when edited.
      const since = mark && trigger.action === 'update' ? sinceOf(mark.since) : null;
      cursor.upTo.push(upTo);
      cursor.from.push(from);
      cursor.since.push(since);
      // The documents after the mark; edited older ones (pass 1) are counted as they are read
      // (counting them would cost one more scan of the table).
      total += await countDocs(trigger, from, upTo, null);
    }
    cursor.profileUpTo = await maxId(UID.user);
    const profile = marks.profile?.fields === profileSignature() ? marks.profile : undefined;
    cursor.profileFrom = profile ? Math.min(profile.upTo, cursor.profileUpTo) : 0;
    cursor.profileSince = profile ? sinceOf(profile.since) : null;
    const [{ n: users }] = await strapi.db
      .connection(tableOf(strapi, UID.user).name)
      .where('id', '>', cursor.profileFrom)
      .where('id', '<=', cursor.profileUpTo)
      .count({ n: '*' });
    total += Number(users);

    // The evaluate phase: members with new facts only when nothing else they are judged by
    // changed since the last complete run (see ReplayMarks).
    cursor.fingerprint = await fingerprint();
    const evaluation = marks.evaluation;
    let evalFrom = 0;
    if (!state.badges && evaluation && evaluation.fingerprint === cursor.fingerprint) {
      if (await derivedKept(evaluation.newest)) evalFrom = evaluation.ledgerId;
    }
    cursor.evalFrom = evalFrom;
    // Each member with activity (or with new facts) is evaluated once after the replay.
    const t = tableOf(strapi, UID.event);
    const members = strapi.db.connection(t.name);
    if (evalFrom > 0) members.where('id', '>', evalFrom);
    const [{ n }] = await members.countDistinct({ n: t.col('userId') });
    state.total = total + Math.max(Number(n), 0);
  }
};

export default backfillService;
