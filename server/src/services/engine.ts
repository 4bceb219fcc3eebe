import crypto from 'crypto';
import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import { listenedEvents, criteriaKinds } from '../../../engine/criteria';
import { decide, type CatalogIndex, type BadgeDef, type Held } from '../../../engine/evaluate';
import { applyActivity, emptyStreak, type StreakState } from '../../../engine/streak';
import { Tally, type LedgerEvent } from '../../../engine/tally';
import { ledgerScope, walkLedger } from '../../../engine/walk';
import { toAwardToApply } from './awards';
import { advance } from './streaks';
import { dialectOf, ledgerRowOf, tableOf } from '../utils/db';
import { getService } from '../utils/get-service';
import { PROFILE_EVENT } from '../config/events';
import { pluginConfig } from '../utils/plugin-config';
import { appEvents } from '../utils/plugin-config';
import { onEventsRecorded } from '../utils/ledger-signal';

interface LedgerRow extends LedgerEvent {
  id: number;
}

/** A member's state as the engine reads it before evaluating (see readMembers). */
interface MemberReads {
  timezone: string;
  streak: (StreakState & { version: number }) | null;
  held: Array<Held & { byAdmin: boolean }>;
  ledger: LedgerRow[];
}

interface ClaimedEvent extends LedgerEvent {
  id: number;
  key: string;
  attempts: number;
}

/** After this many failed attempts an event is set aside (marked processed, logged). */
const MAX_ATTEMPTS = 5;

/**
 * The engine adapter: claims unprocessed ledger events, evaluates the badges they can change
 * with the pure rule engine, and applies the decisions. Several processes may run it on one
 * database: a claim is an atomic UPDATE, an award an insert the database may refuse.
 */
const engineService = ({ strapi }: { strapi: Core.Strapi }) => {
  const instance = `${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const config = () => pluginConfig(strapi);
  const knex = () => strapi.db.connection;
  let batchSeq = 0;
  let running: Promise<number> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  /** A run is queued by schedule() (and `wake` is its timer while it waits to coalesce). */
  let queued = false;
  let wake: NodeJS.Timeout | null = null;
  /** When the last batch run started (epoch ms). */
  let lastStart = 0;
  /** Started with processing.engine false: records only, another process evaluates. */
  let passive = false;

  const claim = async (): Promise<ClaimedEvent[]> => {
    const t = tableOf(strapi, UID.event);
    const { batchSize, leaseMs } = config().processing;
    const now = new Date();
    const claimable = (q: any) =>
      q
        .whereNull(t.col('processedAt'))
        .where((w: any) =>
          w
            .whereNull(t.col('claimedAt'))
            .orWhere(t.col('claimedAt'), '<', new Date(now.getTime() - leaseMs))
        );
    batchSeq += 1;
    const token = `${instance}:${batchSeq}`;
    const claimedValues = {
      [t.col('claimedAt')]: now,
      [t.col('claimedBy')]: token,
      [t.col('attempts')]: knex().raw('?? + 1', [t.col('attempts')]),
    };
    const oldestClaimable = () =>
      claimable(knex()(t.name).select('id'))
        .orderBy([{ column: t.col('occurredAt') }, { column: 'id' }])
        .limit(batchSize);
    let rows: any[];
    if (dialectOf(strapi) === 'mysql') {
      // MariaDB/MySQL have no UPDATE … RETURNING: select, claim, read back what this token won.
      const ids = (await oldestClaimable()).map((r: any) => r.id);
      if (ids.length === 0) return [];
      await claimable(knex()(t.name).whereIn('id', ids)).update(claimedValues);
      rows = await knex()(t.name).where(t.col('claimedBy'), token).whereNull(t.col('processedAt'));
    } else {
      // One statement. On PostgreSQL, rows another process is claiming right now are skipped
      // (not waited for), so processes sharing the database take disjoint batches; the outer
      // conditions are re-checked on the row as it is when locked, so a row is claimed once.
      const oldest = oldestClaimable();
      if (dialectOf(strapi) === 'postgres') oldest.forUpdate().skipLocked();
      rows = await claimable(knex()(t.name).whereIn('id', oldest))
        .update(claimedValues)
        .returning('*');
    }
    return rows
      .map((r: any) => ({
        ...ledgerRowOf(t, r),
        key: r[t.col('key')],
        attempts: r[t.col('attempts')],
      }))
      .sort((a, b) => a.occurredAt - b.occurredAt || a.id - b.id);
  };

  const markProcessed = async (ids: number[]) => {
    const t = tableOf(strapi, UID.event);
    if (ids.length)
      await knex()(t.name)
        .whereIn('id', ids)
        .update({ [t.col('processedAt')]: new Date() });
  };

  /** The members' ledger rows of the given types, oldest first, by member. */
  const loadLedgers = async (userIds: number[], types: Set<string>) => {
    const byUser = new Map<number, LedgerRow[]>(userIds.map((id) => [id, []]));
    if (types.size === 0 || userIds.length === 0) return byUser;
    const t = tableOf(strapi, UID.event);
    const query = knex()(t.name).select(
      'id',
      t.col('userId'),
      t.col('type'),
      t.col('actorId'),
      t.col('subject'),
      t.col('occurredAt'),
      t.col('data')
    );
    if (userIds.length === 1) query.where(t.col('userId'), userIds[0]);
    else query.whereIn(t.col('userId'), userIds);
    const rows = await query
      .whereIn(t.col('type'), [...types])
      .orderBy([{ column: t.col('occurredAt') }, { column: 'id' }]);
    for (const r of rows) {
      const row = ledgerRowOf(t, r);
      byUser.get(row.userId)?.push(row);
    }
    return byUser;
  };

  const loadLedger = async (userId: number, types: Set<string>) =>
    (await loadLedgers([userId], types)).get(userId)!;

  /** The event types evaluating these markers (or only these badges) needs from the ledger. */
  const typesFor = (catalog: { index: CatalogIndex }, markers: LedgerEvent[], only?: BadgeDef[]) =>
    ledgerScope(
      catalog.index,
      markers.map((e) => e.type),
      appEvents(strapi).retractions,
      only
    );

  /**
   * What evaluating members reads, for a whole batch in four statements instead of four per
   * member: timezones, streak rows, held achievements, and ledgers (of every type any of them
   * needs; each member's evaluation keeps only its own types).
   */
  const readMembers = async (
    userIds: number[],
    types: Set<string>
  ): Promise<Map<number, MemberReads>> => {
    const streaks = getService(strapi, 'streaks');
    const [timezones, streakRows, held, ledgers] = [
      await streaks.timezonesOf(userIds),
      await streaks.getMany(userIds),
      await getService(strapi, 'awards').heldMany(userIds),
      await loadLedgers(userIds, types),
    ];
    return new Map(
      userIds.map((id) => [
        id,
        {
          timezone: timezones.get(id)!,
          streak: streakRows.get(id) ?? null,
          held: held.get(id) ?? [],
          ledger: ledgers.get(id) ?? [],
        },
      ])
    );
  };

  /**
   * The walk over one member's ledger that decides at each of the `markers` (the events being
   * processed), so every award carries the instant its criteria were first met — live, and just
   * as well in a recalculation of years of history. Pure given what was read: the net change
   * against what the member held before.
   */
  const walkMember = async (
    markers: ClaimedEvent[],
    reads: Omit<MemberReads, 'streak'>,
    streak: { at: Map<number, StreakState>; now: { current: number; longest: number } },
    only?: BadgeDef[]
  ) => {
    const catalog = await getService(strapi, 'catalog').get();
    const onlyIds = only ? new Set(only.map((b) => b.id)) : null;
    const candidatesFor = (type: string) =>
      onlyIds
        ? catalog.index.badgesFor(type).filter((b) => onlyIds.has(b.id))
        : catalog.index.badgesFor(type);
    const { scope, types } = typesFor(catalog, markers, only);
    const retractions = appEvents(strapi).retractions;
    return walkLedger({
      ledger: reads.ledger.filter((e) => types.has(e.type)),
      markers: new Map(markers.map((e) => [e.id, e.key])),
      streakAt: streak.at,
      streak: streak.now,
      held: reads.held,
      candidatesFor,
      scope,
      now: Date.now(),
      tally: new Tally({ retractions, timezone: reads.timezone }),
      index: catalog.index,
    });
  };

  /**
   * Evaluates one member on their own, reading what it needs and writing the streak first (see
   * walkMember; processBatch does the same for a whole batch with fewer statements).
   */
  const evaluateMember = async (
    userId: number,
    markers: ClaimedEvent[],
    opts: { only?: BadgeDef[]; notify?: boolean; replayStreak?: boolean } = {}
  ) => {
    const catalog = await getService(strapi, 'catalog').get();
    const streaks = getService(strapi, 'streaks');
    const awards = getService(strapi, 'awards');
    const timezone = await streaks.timezoneOf(userId);
    const options = await getService(strapi, 'settings').streakOptions();
    const streakEvents = new Set(options.events);
    const activity = markers.filter((e) => streakEvents.has(e.type));

    // Streak as of each marker.
    const streakAt = new Map<number, StreakState>();
    let streakNow: { current: number; longest: number };
    if (opts.replayStreak) {
      let s = emptyStreak(timezone);
      for (const e of activity) {
        s = applyActivity(
          s,
          { at: e.occurredAt, timezone },
          { freezesPerMonth: options.freezesPerMonth }
        ).state;
        streakAt.set(e.id, s);
      }
      if (activity.length) await streaks.ensure(userId, s);
      streakNow = { current: 0, longest: 0 };
    } else if (activity.length) {
      const { before, states } = await streaks.recordActivity(
        userId,
        activity.map((e) => e.occurredAt),
        timezone
      );
      activity.forEach((e, i) => streakAt.set(e.id, states[i]));
      streakNow = before;
    } else {
      streakNow = (await streaks.get(userId)) ?? { current: 0, longest: 0 };
    }

    const { types } = typesFor(catalog, markers, opts.only);
    const outcome = await walkMember(
      markers,
      { timezone, ledger: await loadLedger(userId, types), held: await awards.held(userId) },
      { at: streakAt, now: streakNow },
      opts.only
    );
    return awards.apply(userId, {
      awards: outcome.awards.map(toAwardToApply),
      revokes: outcome.revokes,
      progress: outcome.progress,
      notify: opts.notify,
    });
  };

  /** Every event type a recalculation walks as a marker (retracting events are known events). */
  const allEventTypes = () => appEvents(strapi).known;

  /**
   * Processes one claimed batch; returns how many events it claimed. The batch's members are
   * read together (readMembers), walked in memory, and written together: their streaks in one
   * statement and their progress in one, with only awards and revokes written member by member.
   */
  const processBatch = async (): Promise<number> => {
    const events = await claim();
    if (events.length === 0) return 0;
    const byUser = new Map<number, ClaimedEvent[]>();
    for (const e of events) {
      const mine = byUser.get(e.userId);
      if (mine) mine.push(e);
      else byUser.set(e.userId, [e]);
    }
    const catalog = await getService(strapi, 'catalog').get();
    const streaks = getService(strapi, 'streaks');
    const awards = getService(strapi, 'awards');
    const reads = await readMembers([...byUser.keys()], typesFor(catalog, events).types);
    const { events: streakTypes, freezesPerMonth } = await getService(
      strapi,
      'settings'
    ).streakOptions();
    const streakEvents = new Set(streakTypes);
    const done: number[] = [];
    const failed = (userId: number, mine: ClaimedEvent[], error: unknown) => {
      strapi.log.error(
        `achievements: processing events of member ${userId} failed: ${(error as Error).stack ?? error}`
      );
      const exhausted = mine.filter((e) => e.attempts >= MAX_ATTEMPTS);
      if (exhausted.length) {
        strapi.log.error(
          `achievements: setting aside ${exhausted.length} event(s) after ${MAX_ATTEMPTS} attempts: ${exhausted.map((e) => e.key).join(', ')}`
        );
        for (const e of exhausted) done.push(e.id);
      }
    };
    /** A member evaluated on their own (as when the batch's shared writes failed). */
    const alone = async (userId: number, mine: ClaimedEvent[]) => {
      try {
        await evaluateMember(userId, mine);
        for (const e of mine) done.push(e.id);
      } catch (error) {
        failed(userId, mine, error);
      }
    };

    // Walk every member in memory, from the state read above.
    const walked: Array<{
      userId: number;
      mine: ClaimedEvent[];
      outcome: Awaited<ReturnType<typeof walkMember>>;
      streak: { userId: number; state: StreakState; version: number } | null;
    }> = [];
    for (const [userId, mine] of byUser) {
      try {
        const read = reads.get(userId)!;
        const activity = mine.filter((e) => streakEvents.has(e.type));
        const at = new Map<number, StreakState>();
        let streak = null;
        let now: { current: number; longest: number } = read.streak ?? { current: 0, longest: 0 };
        if (activity.length) {
          const { start, states } = advance(
            read.streak,
            activity.map((e) => e.occurredAt),
            read.timezone,
            freezesPerMonth
          );
          activity.forEach((e, i) => at.set(e.id, states[i]));
          now = start;
          const version = read.streak?.version ?? 0;
          streak = { userId, state: states[states.length - 1], version };
        }
        const outcome = await walkMember(mine, read, { at, now });
        walked.push({ userId, mine, outcome, streak });
      } catch (error) {
        failed(userId, mine, error);
      }
    }

    const walkedDone = done.length;
    try {
      // Streaks first: a member whose row another process changed since it was read is
      // evaluated again on their own, from what is there now.
      const refused = await streaks.saveMany(walked.flatMap((w) => (w.streak ? [w.streak] : [])));
      const progress: Parameters<typeof awards.saveProgressMany>[0] = [];
      const applied: typeof walked = [];
      for (const w of walked) {
        if (refused.has(w.userId)) continue;
        await awards.apply(w.userId, {
          awards: w.outcome.awards.map(toAwardToApply),
          revokes: w.outcome.revokes,
          progress: [],
        });
        for (const p of w.outcome.progress) progress.push({ userId: w.userId, ...p });
        applied.push(w);
      }
      await awards.saveProgressMany(progress);
      for (const w of applied) for (const e of w.mine) done.push(e.id);
      for (const w of walked) if (refused.has(w.userId)) await alone(w.userId, w.mine);
    } catch (error) {
      // A shared write failed: every member again on their own (each write is idempotent), so
      // one member's bad data cannot hold back the others, and attempts are counted per member.
      strapi.log.warn(`achievements: batch write failed, evaluating members one by one: ${error}`);
      done.length = walkedDone;
      for (const w of walked) await alone(w.userId, w.mine);
    }
    await markProcessed(done);
    return events.length;
  };

  const processPending = async (): Promise<number> => {
    if (!(await getService(strapi, 'settings').isEnabled())) return 0;
    let total = 0;
    for (;;) {
      const n = await processBatch();
      total += n;
      // A short batch means nothing else was claimable: events recorded since then have woken
      // the engine again (see runOnce), and the poller covers other processes and expired claims.
      if (n < config().processing.batchSize || stopped) return total;
    }
  };

  const runOnce = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        lastStart = Date.now();
        total += await processPending();
        // Events that arrived during a run as long as the window go at once.
      } while (again && !stopped && Date.now() >= lastStart + config().processing.coalesceMs);
      return total;
    })().finally(() => {
      running = null;
      // Events arrived during a shorter run: schedule() lets a few more gather first.
      if (again) {
        again = false;
        schedule();
      }
    });
    return running;
  };

  /** Set while started: recording an event wakes the engine (utils/ledger-signal). */
  let stopListening: (() => void) | null = null;

  /** Wakes the engine soon (after the current write's response). */
  const schedule = () => {
    if (stopped || queued || passive) return;
    if (running) {
      again = true;
      return;
    }
    queued = true;
    const go = () => {
      queued = false;
      wake = null;
      if (stopped) return;
      runOnce().catch((error) => strapi.log.error(`achievements: engine run failed: ${error}`));
    };
    // Idle for a while: at once (after the current write's response). Busy: at most one run
    // per coalesceMs, so the events of a busy moment are evaluated together.
    const wait = lastStart + config().processing.coalesceMs - Date.now();
    if (wait > 0) {
      wake = setTimeout(go, wait);
      wake.unref?.();
    } else setImmediate(go);
  };

  return {
    schedule,

    /** Resolves when everything recorded so far is processed (or set aside). */
    async drain(timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (running) await running.catch(() => undefined);
        // A process that does not evaluate waits for the one that does.
        if (!passive) await runOnce();
        if (!(await getService(strapi, 'settings').isEnabled())) return;
        if ((await getService(strapi, 'events').pendingCount()) === 0) return;
        if (Date.now() > deadline)
          throw new Error('achievements: drain timed out with events still pending');
        // Pending but claimed by another process (or failing): wait for it.
        await new Promise((r) => setTimeout(r, 50));
      }
    },

    /** Re-evaluates a member's meta badges (after a manual award or revoke) and all badges of a member. */
    async reevaluate(userId: number, badges?: BadgeDef[]) {
      const catalog = await getService(strapi, 'catalog').get();
      return evaluateMember(userId, [], { only: badges ?? catalog.defs });
    },

    /**
     * Recalculation of one member over their whole ledger (backfill): every event is a marker,
     * the streak is replayed from nothing, and webhooks are sent only when `notify`.
     */
    async recalculateMember(userId: number, opts: { only?: BadgeDef[]; notify?: boolean } = {}) {
      const catalog = await getService(strapi, 'catalog').get();
      const markers = (
        await loadLedger(userId, new Set(catalog.index.all().length ? allEventTypes() : []))
      ).map((e) => ({ ...e, key: `ledger:${e.id}`, attempts: 0 }));
      return evaluateMember(userId, markers, {
        only: opts.only,
        notify: opts.notify ?? false,
        replayStreak: true,
      });
    },

    /**
     * How many members would hold a badge with these criteria right now, without writing
     * anything (the badge editor's dry run). Reads each active member's ledger once.
     */
    async dryRun(
      criteria: BadgeDef['criteria'],
      opts: { category?: string | null; points?: number } = {}
    ) {
      const catalog = await getService(strapi, 'catalog').get();
      const draft: BadgeDef = {
        id: -1,
        slug: '__dry-run__',
        category: opts.category ?? null,
        points: opts.points ?? 0,
        criteria,
        repeatable: false,
        maxRepeats: null,
        autoRevoke: false,
        enabled: true,
      };
      const t = tableOf(strapi, UID.event);
      const types = new Set<string>(listenedEvents(criteria));
      if (criteriaKinds(criteria).has('profile')) types.add(PROFILE_EVENT);
      const retractions = appEvents(strapi).retractions;
      for (const [retraction, cancelled] of Object.entries(retractions))
        if (types.has(cancelled)) types.add(retraction);
      const userIds = (await knex()(t.name).distinct(t.col('userId'))).map(
        (r: any) => r[t.col('userId')] as number
      );
      const streaks = await getService(strapi, 'streaks').getMany(userIds);
      let members = 0;
      for (const userId of userIds) {
        const tally = new Tally({ retractions, timezone: streaks.get(userId)?.timezone ?? 'UTC' });
        for (const event of await loadLedger(userId, types)) tally.apply(event);
        const held = (await getService(strapi, 'awards').held(userId)).filter((h) => !h.revoked);
        const streak = streaks.get(userId);
        const decision = decide(
          [draft],
          {
            tally,
            streak: { current: streak?.current ?? 0, longest: streak?.longest ?? 0 },
            earned: held,
            now: Date.now(),
          },
          held,
          catalog.index
        );
        if (decision.awards.some((a) => a.badgeId === draft.id)) members += 1;
      }
      return { members, evaluated: userIds.length };
    },

    /** Starts the poller that picks up events left by a crash, a restart or another process. */
    start() {
      stopped = false;
      passive = config().processing.engine === false;
      if (passive) {
        strapi.log.info(
          'achievements: this process records events and leaves evaluating them to a process with processing.engine true'
        );
        return;
      }
      const { pollIntervalMs } = config().processing;
      timer = setInterval(schedule, pollIntervalMs);
      timer.unref?.();
      stopListening = onEventsRecorded(strapi, schedule);
      schedule();
    },

    async stop() {
      stopped = true;
      stopListening?.();
      stopListening = null;
      if (timer) clearInterval(timer);
      timer = null;
      if (wake) clearTimeout(wake);
      wake = null;
      queued = false;
      if (running) await running.catch(() => undefined);
    },

    instance,
  };
};

export default engineService;
