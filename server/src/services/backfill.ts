import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { PLUGIN_ID, UID } from '../../../common/constants';
import type { Trigger } from '../config/schema';
import { bulkRows, dialectOf, insertMany, tableOf, toJson } from '../utils/db';
import { getService } from '../utils/get-service';
import { isFilled, PROFILE_EVENT } from './triggers';
import { pluginConfig } from '../utils/plugin-config';

export interface BackfillState {
  id: string;
  status: 'running' | 'done' | 'failed';
  phase: 'replay' | 'evaluate' | 'done';
  badges: string[] | null;
  notify: boolean;
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
  };
  added: { events: number; achievements: number };
  error: string | null;
  /** Wall time of each phase in this process (ms), for the admin and the benchmark. */
  timings?: { replayMs: number; evaluateMs: number };
}

/** Documents (or members) per replay page, members per evaluation page. */
const PAGE = 500;
const CHECKPOINT_MS = 1_000;
/** Pages hand the event loop (and, on SQLite, the one writer) back to live requests in between. */
const yieldToLive = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A run whose owner has not written progress for this long is taken over by the next start. */
const LEASE_MS = 60_000;
/** Rows per multi-row insert (well under every dialect's bound-parameter limit). */
const INSERT_CHUNK = 500;
const REPLAYABLE: Trigger['action'][] = ['create', 'update', 'publish'];

/**
 * Recalculation (backfill): replays the host's existing data through the triggers, with the same
 * keys live events use (so a fact seen live and replayed counts once), then re-evaluates every
 * member with activity over their whole ledger so awards carry their historical earnedAt.
 * Resumable, one run at a time across processes, safe while the site is live, and a second run
 * adds nothing.
 */
const backfillService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'backfill' });
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

  const replayable = () =>
    config().triggers.filter((t) => REPLAYABLE.includes(t.action) && !t.retracts);

  const countDocs = async (trigger: Trigger) => {
    const model = strapi.getModel(trigger.uid as any) as any;
    if (!model) return 0;
    const dp = model.options?.draftAndPublish === true;
    return strapi.db
      .query(trigger.uid as any)
      .count({ where: dp ? { publishedAt: { $notNull: true } } : {} });
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
   * document service, which also picks the default locale.
   */
  const replayPage = async (trigger: Trigger, lastId: number, upTo: number, populate: unknown) => {
    const model = strapi.getModel(trigger.uid as any) as any;
    const dp = model.options?.draftAndPublish === true;
    if (model.pluginOptions?.i18n?.localized === true) {
      return (await (strapi.documents(trigger.uid as any) as any).findMany({
        populate,
        filters: { id: { $gt: lastId, $lte: upTo } },
        sort: 'id:asc',
        limit: PAGE,
        ...(dp ? { status: 'published' } : {}),
      })) as Array<Record<string, any>>;
    }
    return (await strapi.db.query(trigger.uid as any).findMany({
      where: {
        id: { $gt: lastId, $lte: upTo },
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
   */
  const rawReaderFor = (trigger: Trigger) => {
    const plan = getService(strapi, 'triggers').rawPlanFor(trigger);
    if (!plan) return null;
    const { t, stamps, scalars, booleans, relations, dp } = plan;
    const knex = strapi.db.connection;

    return async (
      lastId: number,
      upTo: number,
      limit: number
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

  const execute = async (state: BackfillState): Promise<BackfillState> => {
    const triggers = getService(strapi, 'triggers');
    const catalog = await getService(strapi, 'catalog').get();
    const only = state.badges
      ? catalog.defs.filter((b) => state.badges!.includes(b.slug))
      : undefined;
    const list = replayable();
    const timings = (state.timings ??= { replayMs: 0, evaluateMs: 0 });
    let phaseStart = Date.now();
    try {
      // Phase 1: replay host documents.
      state.phase = 'replay';
      for (
        ;
        state.cursor.trigger < list.length;
        state.cursor.trigger += 1, state.cursor.lastId = 0
      ) {
        const trigger = list[state.cursor.trigger];
        const model = strapi.getModel(trigger.uid as any) as any;
        if (!model) continue;
        const populate = triggers.populateFor(trigger.uid, [trigger]);
        const raw = rawReaderFor(trigger);
        const upTo = state.cursor.upTo?.[state.cursor.trigger] ?? Number.MAX_SAFE_INTEGER;
        for (;;) {
          const docs = raw
            ? await raw(state.cursor.lastId, upTo, PAGE)
            : await replayPage(trigger, state.cursor.lastId, upTo, populate);
          if (docs.length === 0) break;
          const events: Replayed[] = [];
          for (const doc of docs) {
            const event = triggers.toEvent(trigger, doc, doc.documentId);
            if (event) events.push(event);
          }
          state.added.events += await insertReplayed(events);
          state.cursor.lastId = docs[docs.length - 1].id;
          state.processed += docs.length;
          await checkpoint(state);
          await yieldToLive();
        }
      }
      if (!state.cursor.users) {
        const fields = config().profileFields;
        const userModel = strapi.getModel(UID.user) as any;
        const populate = fields.filter((f) =>
          ['relation', 'media', 'component'].includes(userModel.attributes[f]?.type)
        );
        for (;;) {
          const users = (await strapi.db.query(UID.user).findMany({
            where: {
              id: {
                $gt: state.cursor.profileId ?? 0,
                $lte: state.cursor.profileUpTo ?? Number.MAX_SAFE_INTEGER,
              },
            },
            orderBy: { id: 'asc' },
            limit: PAGE,
            populate,
          })) as Array<Record<string, any>>;
          if (users.length === 0) break;
          state.added.events += await insertReplayed(users.map(profileEventOf));
          state.cursor.profileId = users[users.length - 1].id;
          state.processed += users.length;
          await checkpoint(state);
          await yieldToLive();
        }
        state.cursor.users = true;
        await save(state);
      }

      // Phase 2: re-evaluate every member with activity, oldest fact first, a page of members
      // at a time (one ordered ledger read, one short write transaction per page).
      timings.replayMs += Date.now() - phaseStart;
      phaseStart = Date.now();
      state.phase = 'evaluate';
      const t = tableOf(strapi, UID.event);
      const bulk = getService(strapi, 'bulk');
      // The ledger just grew by the replay: fresh statistics keep PostgreSQL's plans for the
      // reads below on the indexes (autovacuum would get there, later).
      if (dialectOf(strapi) === 'postgres' && state.added.events > 0)
        await strapi.db.connection.raw('ANALYZE ??', [t.name]);
      for (;;) {
        // The next members with activity, read in index order rather than with DISTINCT (which
        // PostgreSQL, lacking a loose index scan, may answer by aggregating every later row).
        const window = await strapi.db
          .connection(t.name)
          .select(t.col('userId'))
          .where(t.col('userId'), '>', state.cursor.lastUserId)
          .orderBy(t.col('userId'))
          .limit(PAGE * 20);
        const ids: number[] = [];
        for (const r of window as any[]) {
          const id = Number(r[t.col('userId')]);
          if (ids[ids.length - 1] !== id) ids.push(id);
          if (ids.length === PAGE) break;
        }
        if (ids.length === 0) break;
        const { earned } = await bulk.recalculateMembers(ids, { only, notify: state.notify });
        state.added.achievements += earned;
        state.cursor.lastUserId = ids[ids.length - 1];
        state.processed += ids.length;
        await checkpoint(state);
        await yieldToLive();
      }
      timings.evaluateMs += Date.now() - phaseStart;
      state.status = 'done';
      state.phase = 'done';
      state.finishedAt = new Date().toISOString();
      state.total = Math.max(state.total, state.processed);
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

    /** Starts a run (or resumes an abandoned one) and resolves when it is finished. */
    async run(opts: { badges?: string[]; notify?: boolean } = {}): Promise<BackfillState> {
      return (await this.start(opts)).done;
    },

    /** Starts a run in the background; `done` resolves with its final state. */
    async start(opts: { badges?: string[]; notify?: boolean } = {}) {
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

  async function begin(opts: { badges?: string[]; notify?: boolean }) {
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
          total: 0,
          processed: 0,
          startedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          finishedAt: null,
          owner: owner(),
          cursor: { trigger: 0, lastId: 0, users: false, lastUserId: 0 },
          added: { events: 0, achievements: 0 },
          error: null,
        };
    if (!resume) {
      const maxId = async (uid: string) => {
        if (!strapi.getModel(uid as any)) return 0;
        const [{ max }] = await strapi.db.connection(tableOf(strapi, uid).name).max({ max: 'id' });
        return Number(max ?? 0);
      };
      state.cursor.upTo = [];
      for (const trigger of replayable()) state.cursor.upTo.push(await maxId(trigger.uid));
      state.cursor.profileUpTo = await maxId(UID.user);
      let total = (await strapi.db.query(UID.user).count({})) as number;
      for (const trigger of replayable()) total += await countDocs(trigger);
      // Each member with activity is evaluated once after the replay.
      const t = tableOf(strapi, UID.event);
      const [{ n }] = await strapi.db.connection(t.name).countDistinct({ n: t.col('userId') });
      state.total = total + Math.max(Number(n), 0);
    }
    await save(state);
    current = execute(state).finally(() => {
      current = null;
    });
    return { state, done: current };
  }
};

export default backfillService;
