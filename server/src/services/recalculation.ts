import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import crypto from 'crypto';
import { PLUGIN_ID, UID } from '../../../common/constants';
import type { Trigger } from '../config/schema';
import { labelOf, ledgerReplay, PAGE, type Replayed } from '../stores/ledger-replay';
import { getService } from '../utils/get-service';
import { isFilled, PROFILE_EVENT } from './triggers';
import { appEvents, pluginConfig } from '../utils/plugin-config';

export interface RecalculationState {
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
const SQL_PAGE_MS: Record<'sqlite' | 'postgres' | 'mysql', number> = {
  sqlite: 40,
  postgres: 150,
  mysql: 150,
};
const SQL_PAGE_MIN = 500;
const SQL_PAGE_MAX = 50_000;
/** Bump when what a replayed fact holds changes: every trigger is then replayed in full. */
const REPLAY_REVISION = 1;

const sha1 = (value: unknown) =>
  crypto.createHash('sha1').update(JSON.stringify(value)).digest('hex');

/**
 * Recalculation: replays the host's existing data through the triggers into the ledger
 * (stores/ledger-replay), with the same keys live events use (so a fact seen live and replayed
 * counts once), then evaluates every member with activity over their whole ledger through the
 * evaluator's one evaluation path (evaluator.recalculate), so awards carry their historical
 * earnedAt. (The plugin store keys `backfill` and `backfill-marks` keep their first name, so
 * runs and marks of earlier releases are still found.)
 * Resumable, one run at a time across processes, safe while the site is live, and a second run
 * adds nothing (and, over unchanged data, reads next to nothing: see ReplayMarks).
 */
const recalculationService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'backfill' });
  const marksStore = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'backfill-marks' });
  const config = () => pluginConfig(strapi);
  const replay = () => ledgerReplay(strapi);
  const owner = () => getService(strapi, 'evaluator').instance;
  let current: Promise<RecalculationState> | null = null;
  let starting = false;

  const save = async (state: RecalculationState) => {
    state.updatedAt = new Date().toISOString();
    await store().set({ value: state });
  };
  /** Saves the cursor between pages at most every CHECKPOINT_MS: a resumed run redoes at most
   * that much (every page is idempotent), and the lease stays far from expiring. */
  let savedAt = 0;
  const checkpoint = async (state: RecalculationState) => {
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

  const replayTrigger = async (state: RecalculationState, i: number, trigger: Trigger) => {
    const replayed = state.replayed!;
    const triggers = getService(strapi, 'triggers');
    const upTo = state.cursor.upTo?.[i] ?? Number.MAX_SAFE_INTEGER;
    const passes = passesOf(state.cursor.from?.[i] ?? 0, upTo, state.cursor.since?.[i] ?? null);
    const sql = replay().sqlReplayFor(trigger);
    replayed.paths[labelOf(trigger)] = sql ? 'sql' : 'js';
    const populate = sql ? undefined : triggers.populateFor(trigger.uid, [trigger]);
    const raw = sql ? null : replay().rawReaderFor(trigger);
    if (sql) await replay().freshStatistics(sql.tables);
    const target = SQL_PAGE_MS[replay().dialect()];
    let size = 2_000;
    for (let p = state.cursor.pass ?? 0; p < passes.length; p += 1) {
      const [from, to, since] = passes[p];
      if (state.cursor.lastId < from) state.cursor.lastId = from;
      for (;;) {
        if (sql) {
          const page = await replay().pageEnd(trigger, state.cursor.lastId, to, size, since);
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
            : await replay().replayPage(trigger, state.cursor.lastId, to, populate, since);
          if (docs.length === 0) break;
          const events: Replayed[] = [];
          for (const doc of docs) {
            const event = triggers.toEvent(trigger, doc, doc.documentId);
            if (event) events.push(event);
          }
          state.added.events += await replay().insertReplayed(events);
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

  const replayProfiles = async (state: RecalculationState) => {
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
        state.added.events += await replay().insertReplayed(users.map(profileEventOf));
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

  const execute = async (state: RecalculationState): Promise<RecalculationState> => {
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
        await replay().withPageCache(async () => {
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
        // Host documents still naming an erased member (who kept their account) were just
        // replayed into the ledger: they leave it again before anyone is judged.
        await getService(strapi, 'privacy').forgetErasedFacts();
        timings.replayMs += Date.now() - phaseStart;
        phaseStart = Date.now();
        state.phase = 'evaluate';
        state.cursor.evalMark = await replay().maxId(UID.event);
        await save(state);
      }

      // Phase 2: re-evaluate every member with activity (or, on a rerun, with new facts),
      // oldest fact first, a page of members at a time (one ordered ledger read, one short
      // write transaction per page).
      const evaluator = getService(strapi, 'evaluator');
      // The ledger just grew by the replay: fresh statistics keep PostgreSQL's plans for the
      // reads below on the indexes (autovacuum would get there, later).
      if (state.added.events > 0) await replay().analyzeLedger();
      const nextMembers = await replay().memberPages(state.cursor.evalFrom ?? 0);
      const size = replay().dialect() === 'sqlite' ? SQLITE_EVALUATE_PAGE : PAGE;
      for (;;) {
        const ids = await nextMembers(state.cursor.lastUserId, size);
        if (ids.length === 0) break;
        const { earned } = await evaluator.recalculate(ids, { only, notify: state.notify });
        state.added.achievements += earned;
        state.cursor.lastUserId = ids[ids.length - 1];
        state.processed += ids.length;
        state.evaluated = (state.evaluated ?? 0) + ids.length;
        await checkpoint(state);
        await yieldToLive();
      }
      if (!state.badges) {
        const newest = await replay().newestDerived();
        await writeMarks((marks) => {
          marks.evaluation = {
            ledgerId: state.cursor.evalMark ?? 0,
            fingerprint: state.cursor.fingerprint ?? '',
            newest,
          };
        });
      }
      // Achievements held from before points existed get their badge points (a no-op after).
      await getService(strapi, 'points').backfillBadgePoints();
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
    async status(): Promise<RecalculationState | null> {
      return ((await store().get({})) as RecalculationState | null) ?? null;
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
    const previous = ((await store().get({})) as RecalculationState | null) ?? null;
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
    const state: RecalculationState = resume
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
  async function plan(state: RecalculationState) {
    const marks = state.full ? { triggers: {} as ReplayMarks['triggers'] } : await readMarks();
    const sinceOf = (since: string) =>
      new Date(new Date(since).getTime() - CLOCK_MARGIN_MS).toISOString();
    const maxId = replay().maxId;
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
      total += await replay().countDocs(trigger, from, upTo, null);
    }
    cursor.profileUpTo = await maxId(UID.user);
    const profile = marks.profile?.fields === profileSignature() ? marks.profile : undefined;
    cursor.profileFrom = profile ? Math.min(profile.upTo, cursor.profileUpTo) : 0;
    cursor.profileSince = profile ? sinceOf(profile.since) : null;
    total += await replay().usersBetween(cursor.profileFrom, cursor.profileUpTo);

    // The evaluate phase: members with new facts only when nothing else they are judged by
    // changed since the last complete run (see ReplayMarks).
    cursor.fingerprint = await fingerprint();
    const evaluation = marks.evaluation;
    let evalFrom = 0;
    if (!state.badges && evaluation && evaluation.fingerprint === cursor.fingerprint) {
      if (await replay().derivedKept(evaluation.newest)) evalFrom = evaluation.ledgerId;
    }
    cursor.evalFrom = evalFrom;
    // Each member with activity (or with new facts) is evaluated once after the replay.
    state.total = total + (await replay().membersWithFacts(evalFrom));
  }
};

export default recalculationService;
