import crypto from 'crypto';
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, UID } from '../../../common/constants';
import { listenedEvents, criteriaKinds } from '../../../engine/criteria';
import { decide, type BadgeDef } from '../../../engine/evaluate';
import { Tally, type LedgerEvent } from '../../../engine/tally';
import type { PluginConfig } from '../config/schema';
import { fromJson, tableOf, toMs } from '../utils/db';
import { getService } from '../utils/get-service';
import { PROFILE_EVENT } from './triggers';

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
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const knex = () => strapi.db.connection;
  let batchSeq = 0;
  let running: Promise<number> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const claim = async (): Promise<ClaimedEvent[]> => {
    const t = tableOf(strapi, UID.event);
    const { batchSize, leaseMs } = config().processing;
    const now = new Date();
    const claimable = (q: any) =>
      q
        .whereNull(t.col('processedAt'))
        .where((w: any) => w.whereNull(t.col('claimedAt')).orWhere(t.col('claimedAt'), '<', new Date(now.getTime() - leaseMs)));
    const ids = (
      await claimable(knex()(t.name).select('id'))
        .orderBy([{ column: t.col('occurredAt') }, { column: 'id' }])
        .limit(batchSize)
    ).map((r: any) => r.id);
    if (ids.length === 0) return [];
    batchSeq += 1;
    const token = `${instance}:${batchSeq}`;
    await claimable(knex()(t.name).whereIn('id', ids)).update({
      [t.col('claimedAt')]: now,
      [t.col('claimedBy')]: token,
      [t.col('attempts')]: knex().raw('?? + 1', [t.col('attempts')]),
    });
    const rows = await knex()(t.name).where(t.col('claimedBy'), token).whereNull(t.col('processedAt'));
    return rows.map((r: any) => ({
      id: r.id,
      key: r[t.col('key')],
      type: r[t.col('type')],
      userId: r[t.col('userId')],
      actorId: r[t.col('actorId')],
      subject: r[t.col('subject')],
      occurredAt: toMs(r[t.col('occurredAt')])!,
      data: fromJson(r[t.col('data')]),
      attempts: r[t.col('attempts')],
    }));
  };

  const markProcessed = async (ids: number[]) => {
    const t = tableOf(strapi, UID.event);
    if (ids.length) await knex()(t.name).whereIn('id', ids).update({ [t.col('processedAt')]: new Date() });
  };

  /** The member's ledger, limited to the event types the candidate badges read. */
  const loadTally = async (userId: number, candidates: BadgeDef[], timezone: string) => {
    const triggers = getService(strapi, 'triggers');
    const retractions = triggers.retractions();
    const types = new Set<string>();
    for (const badge of candidates) {
      for (const event of listenedEvents(badge.criteria)) types.add(event);
      if (criteriaKinds(badge.criteria).has('profile')) types.add(PROFILE_EVENT);
    }
    for (const [retraction, cancelled] of Object.entries(retractions)) if (types.has(cancelled)) types.add(retraction);
    const tally = new Tally({ retractions, timezone });
    if (types.size === 0) return tally;
    const t = tableOf(strapi, UID.event);
    const rows = await knex()(t.name)
      .select(t.col('type'), t.col('actorId'), t.col('subject'), t.col('occurredAt'), t.col('data'))
      .where(t.col('userId'), userId)
      .whereIn(t.col('type'), [...types])
      .orderBy([{ column: t.col('occurredAt') }, { column: 'id' }]);
    for (const r of rows) {
      tally.apply({
        type: r[t.col('type')],
        userId,
        actorId: r[t.col('actorId')],
        subject: r[t.col('subject')],
        occurredAt: toMs(r[t.col('occurredAt')])!,
        data: fromJson(r[t.col('data')]),
      });
    }
    return tally;
  };

  /**
   * Evaluates `candidates` (plus the meta badges, which decide() handles) for one member and
   * applies the decision. `events` are the member's newly claimed events, oldest first.
   */
  const evaluateMember = async (userId: number, events: ClaimedEvent[], candidates: BadgeDef[]) => {
    const catalog = await getService(strapi, 'catalog').get();
    const streaks = getService(strapi, 'streaks');
    const timezone = await streaks.timezoneOf(userId);
    const streakEvents = new Set(config().streakEvents);
    const activity = events.filter((e) => streakEvents.has(e.type)).map((e) => e.occurredAt);
    const streak = activity.length ? await streaks.recordActivity(userId, activity, timezone) : await streaks.get(userId);

    const all = [...candidates, ...catalog.index.metaBadges()];
    const tally = await loadTally(userId, all, timezone);
    const awards = getService(strapi, 'awards');
    const held = await awards.held(userId);
    const last = events[events.length - 1];
    const now = last ? last.occurredAt : Date.now();
    const decision = decide(
      candidates,
      {
        tally,
        streak: { current: streak?.current ?? 0, longest: streak?.longest ?? 0 },
        earned: held.filter((h) => !h.revoked),
        now,
      },
      held,
      catalog.index
    );
    return awards.apply(userId, decision, {
      earnedAt: new Date(now),
      sourceEvent: last?.key ?? null,
      evidence: last ? { event: last.key, type: last.type, subject: last.subject ?? null } : { reason: 'recalculation' },
    });
  };

  const processBatch = async (): Promise<number> => {
    const events = await claim();
    if (events.length === 0) return 0;
    const catalog = await getService(strapi, 'catalog').get();
    const byUser = new Map<number, ClaimedEvent[]>();
    for (const e of events) byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
    for (const [userId, mine] of byUser) {
      try {
        const candidates = new Map<number, BadgeDef>();
        for (const e of mine) for (const b of catalog.index.badgesFor(e.type)) candidates.set(b.id, b);
        await evaluateMember(userId, mine, [...candidates.values()]);
        await markProcessed(mine.map((e) => e.id));
      } catch (error) {
        strapi.log.error(`achievements: processing events of member ${userId} failed: ${(error as Error).stack ?? error}`);
        const exhausted = mine.filter((e) => e.attempts >= MAX_ATTEMPTS);
        if (exhausted.length) {
          strapi.log.error(`achievements: setting aside ${exhausted.length} event(s) after ${MAX_ATTEMPTS} attempts: ${exhausted.map((e) => e.key).join(', ')}`);
          await markProcessed(exhausted.map((e) => e.id));
        }
      }
    }
    return events.length;
  };

  const processPending = async (): Promise<number> => {
    if (!(await getService(strapi, 'settings').isEnabled())) return 0;
    let total = 0;
    for (;;) {
      const n = await processBatch();
      total += n;
      if (n === 0 || stopped) return total;
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
        total += await processPending();
      } while (again && !stopped);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    /** Wakes the engine soon (after the current write's response). */
    schedule() {
      if (stopped) return;
      setImmediate(() => {
        if (stopped) return;
        runOnce().catch((error) => strapi.log.error(`achievements: engine run failed: ${error}`));
      });
    },

    /** Resolves when everything recorded so far is processed (or set aside). */
    async drain(timeoutMs = 60_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (running) await running.catch(() => undefined);
        await runOnce();
        if (!(await getService(strapi, 'settings').isEnabled())) return;
        if ((await getService(strapi, 'events').pendingCount()) === 0) return;
        if (Date.now() > deadline) throw new Error('achievements: drain timed out with events still pending');
        // Pending but claimed by another process (or failing): wait for it.
        await new Promise((r) => setTimeout(r, 50));
      }
    },

    /** Re-evaluates a member's meta badges (after a manual award or revoke) and all badges of a member. */
    async reevaluate(userId: number, badges?: BadgeDef[]) {
      const catalog = await getService(strapi, 'catalog').get();
      return evaluateMember(userId, [], badges ?? catalog.defs);
    },

    /** Starts the poller that picks up events left by a crash, a restart or another process. */
    start() {
      stopped = false;
      const { pollIntervalMs } = config().processing;
      timer = setInterval(() => this.schedule(), pollIntervalMs);
      timer.unref?.();
      this.schedule();
    },

    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      if (running) await running.catch(() => undefined);
    },

    instance,
  };
};

export default engineService;
