import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import type { Trigger } from '../config/schema';
import { hostDocuments } from './host-documents';
import { conflictOn } from './ledger';
import { occurredAtWindow, oldestEventOf } from '../validation/occurred-at';
import {
  bulkRows,
  dialectOf,
  insertMany,
  quoteId,
  rawChanges,
  sqlInstant,
  tableOf,
  toJson,
} from './sql';
import { defineStore } from './store';

/** Documents (or members) per page of the JavaScript replay, members per evaluation page. */
export const PAGE = 500;

/** A trigger as the replay's progress names it. */
export const labelOf = (trigger: Trigger) => `${trigger.uid} ${trigger.action} ${trigger.event}`;
/** Rows per multi-row insert (well under every dialect's bound-parameter limit). */
const INSERT_CHUNK = 500;
/** Attribute types a set-based replay reads as text (string-like columns). */
const SQL_TEXT = new Set(['string', 'text', 'richtext', 'uid', 'email', 'enumeration']);

/** A fact rebuilt from a host document by the JavaScript replay. */
export interface Replayed {
  type: string;
  userId: number;
  key: string;
  occurredAt: number;
  actorId?: number | null;
  subject?: string | null;
  data?: Record<string, unknown>;
}

/**
 * The replay of history into the ledger: reads the host's documents a page at a time and writes
 * the facts they give, set-based (`INSERT … SELECT`) where a trigger's paths are columns and
 * link tables, from JavaScript otherwise (services/recalculation decides which and keeps the
 * marks). Writes the event table, as the ledger store does, only with replayed facts (marked
 * processed); reads the host's tables and the newest rows of the derived tables.
 */
export const ledgerReplay = defineStore((strapi: Core.Strapi) => {
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
    const userCol = t.col('userId');
    // Keys are unique per member (see stores/ledger.ts).
    const memberKey = (userId: number, key: string) => `${userId}:${key}`;
    const unique = new Map<string, Replayed>();
    for (const e of events) {
      const k = memberKey(e.userId, e.key);
      if (!unique.has(k)) unique.set(k, e);
    }
    let added = 0;
    const precheck = dialectOf(strapi) === 'sqlite';
    const list = [...unique.values()];
    for (let i = 0; i < list.length; i += INSERT_CHUNK) {
      const part = list.slice(i, i + INSERT_CHUNK);
      const existing = new Set<string>(
        precheck
          ? (
              await knex(t.name)
                .select(keyCol, userCol)
                .whereIn(
                  keyCol,
                  part.map((e) => e.key)
                )
            ).map((r: any) => memberKey(Number(r[userCol]), r[keyCol] as string))
          : []
      );
      const now = new Date();
      const rows = bulkRows(
        t,
        part
          .filter((e) => !existing.has(memberKey(e.userId, e.key)))
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
        await insertMany(strapi, knex, t.name, rows, { conflict: conflictOn(t), returning: 'id' })
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
    const plan = hostDocuments(strapi).planFor(trigger);
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
   *   no user, or the actor or owner crediting themself (ignoreSelf), writes nothing;
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
    const plan = hostDocuments(strapi).planFor(trigger);
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
    const ownerExpr = trigger.owner ? idExpr(trigger.owner) : 'NULL';
    if (userExpr === null || actorExpr === null || ownerExpr === null || subjectExpr === null)
      return null;

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
    // A date the ledger would refuse (validation/occurred-at) gives way to the next, as toEvent.
    const OLDEST = Symbol('oldest');
    const LATEST = Symbol('latest');
    const windowBindings: symbol[] = [];
    const inWindow = (instant: string) => {
      windowBindings.push(OLDEST, LATEST);
      const bound = param('TIMESTAMP');
      return `(CASE WHEN ${instant} >= ${bound} AND ${instant} <= ${bound} THEN ${instant} END)`;
    };
    const instants = [
      ...(trigger.occurredAt ? [inWindow(sqlInstant(d, col(trigger.occurredAt)).instant)] : []),
      inWindow(sqlInstant(d, col(stamp)).instant),
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
        `${ownerExpr} AS o, ` +
        `${subjectExpr} AS sub, ${occurredExpr} AS occ, ${dataExpr} AS dat ` +
        `FROM ${q(t.name)} s ${joins.join(' ')} WHERE ${filters(since)}` +
        (where.length ? ` AND ${where.map((w) => `(${w})`).join(' AND ')}` : '');
      const selfCheck =
        trigger.ignoreSelf === false
          ? ''
          : (trigger.actor ? ' AND (x.a IS NULL OR x.a <> x.u)' : '') +
            (trigger.owner ? ' AND (x.o IS NULL OR x.o <> x.u)' : '');
      const select =
        `SELECT ${concat([param('VARCHAR'), hex])}, x.k, ${param('VARCHAR')}, x.u, x.a, x.sub, ` +
        `x.occ, ${ts}, NULL, NULL, 0, 'backfill', x.dat, ${ts}, ${ts}, ${ts} ` +
        `FROM (${inner}) x WHERE x.u IS NOT NULL${selfCheck}`;
      const sql =
        d === 'mysql'
          ? `INSERT IGNORE INTO ${q(ev.name)} (${evCols.join(', ')}) ${select}`
          : `INSERT INTO ${q(ev.name)} (${evCols.join(', ')}) ${select} ` +
            `ON CONFLICT (${conflictOn(ev).map(q).join(', ')}) DO NOTHING`;
      // Bindings in the order their `?` appear.
      const bindings: unknown[] = [
        ID_PREFIX,
        trigger.event,
        NOW,
        NOW,
        NOW,
        NOW,
        PREFIX, // key prefix (keyParts[0])
        ...windowBindings, // occurredExpr's window, per instant
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
        const window = occurredAtWindow(oldestEventOf(strapi), now.getTime());
        // SQLite's instants are epoch milliseconds; the others compare timestamps.
        const instant = (ms: number) => (d === 'sqlite' ? ms : new Date(ms));
        const values = bindings.map((b) =>
          b === OLDEST
            ? instant(window.oldest)
            : b === LATEST
              ? instant(window.latest)
              : b === AFTER
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

  /** The highest id of a content type's table (0: empty or no such type). */
  const maxId = async (uid: string) => {
    if (!strapi.getModel(uid as any)) return 0;
    const [{ max }] = await strapi.db.connection(tableOf(strapi, uid).name).max({ max: 'id' });
    return Number(max ?? 0);
  };

  /** Members with facts after ledger id `after` (0: all). */
  const membersWithFacts = async (after: number) => {
    const t = tableOf(strapi, UID.event);
    const members = strapi.db.connection(t.name);
    if (after > 0) members.where('id', '>', after);
    const [{ n }] = await members.countDistinct({ n: t.col('userId') });
    return Number(n);
  };

  /** Users with ids in (after, upTo]. */
  const usersBetween = async (after: number, upTo: number) => {
    const [{ n }] = await strapi.db
      .connection(tableOf(strapi, UID.user).name)
      .where('id', '>', after)
      .where('id', '<=', upTo)
      .count({ n: '*' });
    return Number(n);
  };

  /** The ledger just grew by the replay: fresh PostgreSQL statistics keep its reads on the indexes. */
  const analyzeLedger = async () => {
    if (dialectOf(strapi) === 'postgres')
      await strapi.db.connection.raw('ANALYZE ??', [tableOf(strapi, UID.event).name]);
  };

  return {
    insertReplayed,
    replayPage,
    rawReaderFor,
    sqlReplayFor,
    freshStatistics,
    withPageCache,
    pageEnd,
    countDocs,
    memberPages,
    newestDerived,
    derivedKept,
    maxId,
    membersWithFacts,
    usersBetween,
    analyzeLedger,
    /** The database's dialect (page sizes depend on it). */
    dialect: () => dialectOf(strapi),
  };
});
