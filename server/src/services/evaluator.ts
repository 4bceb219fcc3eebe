import crypto from 'crypto';
import type { Core } from '@strapi/strapi';
import { criteriaKinds, listenedEvents } from '../../../engine/criteria';
import { decide, type BadgeDef } from '../../../engine/evaluate';
import {
  evaluateMember,
  typesToRead,
  type EvaluationContext,
  type MemberOutcome,
} from '../../../engine/member';
import { Tally } from '../../../engine/tally';
import { PROFILE_EVENT } from '../config/events';
import { achievementStore } from '../stores/achievements';
import { hostUsers } from '../stores/host-users';
import { ledgerStore, type ClaimedEvent, type LedgerRow } from '../stores/ledger';
import { progressStore } from '../stores/progress';
import { streakStore } from '../stores/streaks';
import { inTransaction } from '../stores/transaction';
import { getService } from '../utils/get-service';
import { onEventsRecorded } from '../utils/ledger-signal';
import { appEvents, pluginConfig } from '../utils/plugin-config';
import { pointsFactOf, type LevelUp } from './points';
import {
  achievementOf,
  heldKey,
  revocationOf,
  type MemberWrite,
  type Written,
} from './achievements';

/** After this many failed attempts an event is set aside (marked processed, logged). */
const MAX_ATTEMPTS = 5;
/** Tries to write a member's streak while other processes keep changing it. */
const STREAK_ATTEMPTS = 8;

/** Members to evaluate together, each with the facts being judged (live) or none. */
type Batch = Map<number, ClaimedEvent[]>;

export interface EvaluateOptions {
  /** Judge only these badges. */
  only?: BadgeDef[];
  /** Judge every fact of each member's history (see engine/member.ts). */
  recalculation?: boolean;
  /** Send achievement.earned / .revoked (default: live yes, recalculation no). */
  notify?: boolean;
  /** The members are a page of ascending ids (reads by id range). */
  consecutive?: boolean;
}

/**
 * The evaluator: claims batches of unprocessed facts from the ledger and evaluates their
 * members. Evaluation is one path for everything: a live batch, a manual award's re-evaluation
 * (a batch of one, no facts), and a recalculation (pages of members, every fact judged) all read
 * the members' state in a few statements, walk each member with engine/member.ts, and write
 * through the achievement service and the stores; the outbox is told after the write.
 * Several processes may run it on one database: a claim is an atomic UPDATE, an award an insert
 * the database may refuse, a streak a versioned write.
 */
const evaluatorService = ({ strapi }: { strapi: Core.Strapi }) => {
  const instance = `${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const config = () => pluginConfig(strapi);
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

  const contextFor = async (opts: EvaluateOptions): Promise<EvaluationContext> => {
    const catalog = await getService(strapi, 'catalog').get();
    const { events, freezesPerMonth } = await getService(strapi, 'settings').streakOptions();
    return {
      index: catalog.index,
      retractions: appEvents(strapi).retractions,
      streakEvents: new Set(events),
      freezesPerMonth,
      only: opts.only,
      now: Date.now(),
      ...(opts.recalculation
        ? {
            recalculation: {
              // No badge, nothing to judge: a member's history needs no walk.
              markerTypes: new Set(catalog.index.all().length ? appEvents(strapi).ledgerTypes : []),
            },
          }
        : {}),
    };
  };

  /**
   * Evaluates a batch of members: reads what they hold, their streaks, timezones and ledgers (a
   * statement each for the whole batch), walks each member, writes. Members the walk fails for
   * are returned in `failed`; the rest in `done`.
   */
  const evaluate = async (
    batch: Batch,
    opts: EvaluateOptions,
    attempt = 1
  ): Promise<{ done: number[]; failed: Map<number, unknown>; written: Map<number, Written> }> => {
    const userIds = [...batch.keys()];
    const ctx = await contextFor(opts);
    const recalculation = ctx.recalculation !== undefined;
    const read = { consecutive: opts.consecutive === true };
    const markerTypes = recalculation
      ? ctx.recalculation!.markerTypes
      : new Set([...batch.values()].flat().map((e) => e.type));
    const { defaultTimezone } = await getService(strapi, 'settings').streakOptions();
    const timezones = await hostUsers(strapi).timezonesOf(userIds, defaultTimezone);
    const streaks = await streakStore(strapi).of(userIds, read);
    const held = await achievementStore(strapi).heldBy(userIds, read);
    const ledgers = await ledgerStore(strapi).ledgersOf(
      userIds,
      typesToRead(ctx, markerTypes),
      read
    );
    const stored = recalculation ? await progressStore(strapi).of(userIds, read) : null;

    const failed = new Map<number, unknown>();
    const outcomes: MemberOutcome[] = [];
    for (const userId of userIds) {
      try {
        outcomes.push(
          evaluateMember(
            {
              userId,
              ledger: ledgers.get(userId) ?? ([] as LedgerRow[]),
              markers: batch.get(userId) ?? [],
              held: held.get(userId) ?? [],
              timezone: timezones.get(userId)!,
              stored: streaks.get(userId) ?? null,
            },
            ctx
          )
        );
      } catch (error) {
        failed.set(userId, error);
      }
    }
    const writeOf = (o: MemberOutcome): MemberWrite => ({
      userId: o.userId,
      awards: o.awards.map(achievementOf),
      revokes: o.revokes.map(revocationOf),
      progress: o.progress,
      heldBefore: new Set((held.get(o.userId) ?? []).map(heldKey)),
      storedProgress: stored?.get(o.userId),
    });
    const achievements = getService(strapi, 'achievements');
    const outbox = getService(strapi, 'outbox');
    const notify = opts.notify ?? !recalculation;
    // Read before the transaction opens (see outbox.record).
    const catalog = await getService(strapi, 'catalog').get();
    const points = getService(strapi, 'points');
    const pointsContext = await points.context();
    /** The facts whose points this evaluation judges: the batch's, or whole histories. */
    const factsOf = (ids: number[]) =>
      ids.flatMap((id) =>
        (recalculation ? (ledgers.get(id) ?? []) : (batch.get(id) ?? [])).map(pointsFactOf)
      );
    let written: Map<number, Written>;
    let levels: LevelUp[] = [];
    let refused = new Set<number>();
    if (recalculation) {
      // A page in one transaction: its streaks (for members who have none: a rerun leaves a
      // streak alone), achievements, progress and notifications.
      written = await inTransaction(strapi, async (trx) => {
        await streakStore(strapi).insertMissing(
          outcomes.flatMap((o) =>
            o.streak && !streaks.has(o.userId) ? [{ userId: o.userId, state: o.streak.state }] : []
          ),
          trx
        );
        const changes = await achievements.write(outcomes.map(writeOf), trx);
        const reached = await points.record(
          { facts: factsOf(outcomes.map((o) => o.userId)), changes, history: true },
          pointsContext,
          { notify },
          trx
        );
        levels = await outbox.record(changes, { catalog, notify, levels: reached }, trx);
        return changes;
      });
    } else {
      // One transaction per batch: streaks, achievements, progress and the notifications that
      // report them commit together. Streaks first: a member whose row another process changed
      // since it was read is evaluated again, from what is there now.
      written = await inTransaction(strapi, async (trx) => {
        refused = await streakStore(strapi).saveMany(
          outcomes.flatMap((o) => (o.streak ? [{ userId: o.userId, ...o.streak }] : [])),
          trx
        );
        const kept = outcomes.filter((o) => !refused.has(o.userId));
        const changes = await achievements.write(kept.map(writeOf), trx);
        const streakChanges = kept.flatMap((o) =>
          o.streak
            ? [
                {
                  userId: o.userId,
                  before: streaks.get(o.userId) ?? null,
                  after: o.streak.state,
                },
              ]
            : []
        );
        const reached = await points.record(
          { facts: factsOf(kept.map((o) => o.userId)), changes },
          pointsContext,
          { notify },
          trx
        );
        levels = await outbox.record(
          changes,
          { catalog, notify, streaks: streakChanges, levels: reached },
          trx
        );
        return changes;
      });
    }
    for (const [userId, changes] of written) await outbox.changed(userId, changes, { notify });
    await outbox.leveled(levels);
    const done = outcomes.map((o) => o.userId).filter((id) => !refused.has(id));
    if (refused.size) {
      // Their streak changed under them: read and write again until it sticks.
      if (attempt >= STREAK_ATTEMPTS) {
        const error = new Error('streak kept changing under concurrent writers');
        for (const id of refused) failed.set(id, error);
      } else {
        const retry: Batch = new Map([...refused].map((id) => [id, batch.get(id) ?? []]));
        const again = await evaluate(retry, opts, attempt + 1);
        done.push(...again.done);
        for (const [id, error] of again.failed) failed.set(id, error);
        for (const [id, w] of again.written) written.set(id, w);
      }
    }
    return { done, failed, written };
  };

  /**
   * Evaluates members one by one (each a batch of one): when a batch's shared write fails, so
   * one member's bad data cannot hold back the others.
   */
  const evaluateAlone = async (batch: Batch, opts: EvaluateOptions) => {
    const done: number[] = [];
    const failed = new Map<number, unknown>();
    for (const [userId, markers] of batch) {
      try {
        const result = await evaluate(new Map([[userId, markers]]), opts);
        done.push(...result.done);
        for (const [id, error] of result.failed) failed.set(id, error);
      } catch (error) {
        failed.set(userId, error);
      }
    }
    return { done, failed };
  };

  /** Processes one claimed batch; returns how many events it claimed. */
  const processBatch = async (): Promise<number> => {
    const { batchSize, leaseMs } = config().processing;
    batchSeq += 1;
    const events = await ledgerStore(strapi).claim({
      batchSize,
      leaseMs,
      token: `${instance}:${batchSeq}`,
    });
    if (events.length === 0) return 0;
    const batch: Batch = new Map();
    for (const e of events) {
      const mine = batch.get(e.userId);
      if (mine) mine.push(e);
      else batch.set(e.userId, [e]);
    }
    let result: { done: number[]; failed: Map<number, unknown> };
    try {
      result = await evaluate(batch, {});
    } catch (error) {
      strapi.log.warn(`achievements: batch write failed, evaluating members one by one: ${error}`);
      result = await evaluateAlone(batch, {});
    }
    const processed: number[] = [];
    for (const userId of result.done) for (const e of batch.get(userId)!) processed.push(e.id);
    for (const [userId, error] of result.failed) {
      strapi.log.error(
        `achievements: processing events of member ${userId} failed: ${(error as Error)?.stack ?? error}`
      );
      const exhausted = batch.get(userId)!.filter((e) => e.attempts >= MAX_ATTEMPTS);
      if (exhausted.length) {
        strapi.log.error(
          `achievements: setting aside ${exhausted.length} event(s) after ${MAX_ATTEMPTS} attempts: ${exhausted.map((e) => e.key).join(', ')}`
        );
        for (const e of exhausted) processed.push(e.id);
      }
    }
    await ledgerStore(strapi).markProcessed(processed);
    return events.length;
  };

  const processPending = async (): Promise<number> => {
    if (!(await getService(strapi, 'settings').isEnabled())) return 0;
    let total = 0;
    for (;;) {
      const n = await processBatch();
      total += n;
      // A short batch means nothing else was claimable: events recorded since then have woken
      // the evaluator again (see runOnce), and the poller covers other processes and expired
      // claims.
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

  /** Set while started: recording an event wakes the evaluator (utils/ledger-signal). */
  let stopListening: (() => void) | null = null;

  /** Wakes the evaluator soon (after the current write's response). */
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
      runOnce().catch((error) => strapi.log.error(`achievements: evaluator run failed: ${error}`));
    };
    // Idle for a while: at once (after the current write's response). Busy: at most one run
    // per coalesceMs, so the events of a busy moment are evaluated together.
    const wait = lastStart + config().processing.coalesceMs - Date.now();
    if (wait > 0) {
      wake = setTimeout(go, wait);
      wake.unref?.();
    } else setImmediate(go);
  };

  /** Throws the first failure of an evaluation run on request (not by the worker). */
  const orThrow = <T extends { failed: Map<number, unknown> }>(result: T): T => {
    const [first] = result.failed.values();
    if (first !== undefined) throw first;
    return result;
  };

  const earnedIn = (written: Map<number, Written>) =>
    [...written.values()].reduce((n, w) => n + w.earned.length, 0);

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
        if ((await ledgerStore(strapi).pendingCount()) === 0) return;
        if (Date.now() > deadline)
          throw new Error('achievements: drain timed out with events still pending');
        // Pending but claimed by another process (or failing): wait for it.
        await new Promise((r) => setTimeout(r, 50));
      }
    },

    /**
     * Re-evaluates one member now, without new facts (after an admin's award, revocation or
     * badge deletion): these badges, or all of them.
     */
    async reevaluate(userId: number, badges?: BadgeDef[]) {
      const only = badges ?? (await getService(strapi, 'catalog').get()).defs;
      const result = orThrow(await evaluate(new Map([[userId, []]]), { only }));
      return { earned: earnedIn(result.written) };
    },

    /**
     * Recalculates members over their whole history (every fact judged, the streak replayed,
     * admins' decisions rebuilt), webhooks only when `notify`. Returns how many achievements
     * were awarded or reinstated.
     */
    async recalculate(
      userIds: number[],
      opts: { only?: BadgeDef[]; notify?: boolean } = {}
    ): Promise<{ earned: number }> {
      // Ascending and unique: the reads go by id ranges (which stay on the user_id indexes
      // whatever the planner's statistics say).
      const ids = [...new Set(userIds)].sort((a, b) => a - b);
      if (ids.length === 0) return { earned: 0 };
      const result = orThrow(
        await evaluate(new Map(ids.map((id) => [id, []])), {
          ...opts,
          recalculation: true,
          notify: opts.notify ?? false,
          consecutive: true,
        })
      );
      return { earned: earnedIn(result.written) };
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
      const types = new Set<string>(listenedEvents(criteria));
      if (criteriaKinds(criteria).has('profile')) types.add(PROFILE_EVENT);
      const retractions = appEvents(strapi).retractions;
      for (const [retraction, cancelled] of Object.entries(retractions))
        if (types.has(cancelled)) types.add(retraction);
      const userIds = await ledgerStore(strapi).members();
      const streaks = await streakStore(strapi).of(userIds);
      let members = 0;
      for (const userId of userIds) {
        const tally = new Tally({ retractions, timezone: streaks.get(userId)?.timezone ?? 'UTC' });
        const ledger = (await ledgerStore(strapi).ledgersOf([userId], types)).get(userId)!;
        for (const event of ledger) tally.apply(event);
        const held = (await achievementStore(strapi).heldBy([userId]))
          .get(userId)!
          .filter((h) => !h.revoked);
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

export default evaluatorService;
