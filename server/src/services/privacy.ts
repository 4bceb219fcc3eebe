import crypto from 'crypto';
import { Readable } from 'stream';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  LEADERBOARD_PERIODS,
  MEMBER_EXPORT_SCHEMA,
  MEMBER_EXPORT_VERSION,
  type Member,
} from '../../../common/api';
import type { ErasePreview, ErasureReceipt } from '../../../common/admin-api';
import { PLUGIN_ID, UID } from '../../../common/constants';
import { achievementStore } from '../stores/achievements';
import { erasureStore, type Erasure, type ErasureSteps } from '../stores/erasures';
import { ledgerStore } from '../stores/ledger';
import { preferenceStore } from '../stores/preferences';
import { notificationStore } from '../stores/notifications';
import { digestStore } from '../stores/digests';
import { pointStore } from '../stores/points';
import { credentialsStore } from '../stores/credentials';
import { statusListsStore } from '../stores/status-lists';
import { progressStore } from '../stores/progress';
import { streakStore } from '../stores/streaks';
import { tombstoneStore } from '../stores/tombstones';
import { inTransaction, type Connection } from '../stores/transaction';
import { getService } from '../utils/get-service';
import { pluginConfig } from '../utils/plugin-config';

/** The webhook (and eventHub event) sent once a member's data is erased: `{ member: { id } }`. */
export const MEMBER_ERASED = 'member.erased' as const;

/** Ledger rows per page of the export stream (and per statement). */
const EXPORT_PAGE = 250;
/**
 * How stale a process's copy of the tombstones may be. An erase waits this long (plus a
 * margin) before its last sweep, so a fact another process recorded from an older copy is
 * swept too.
 */
const TOMBSTONE_TTL_MS = 2000;

/** Where an erase came from (kept on the receipt). */
export type EraseOrigin = 'admin' | 'service' | 'user-deleted';
/** The origin of the record a lifted tombstone leaves among the receipts. */
export const TOMBSTONE_LIFTED = 'tombstone-lifted' as const;

/** The steps of an erase, in order; `sweep` runs every store's erase once more at the end. */
const STORE_STEPS = [
  'ledger',
  'achievements',
  'progress',
  'streaks',
  'preferences',
  'credentials',
  'notifications',
  'digests',
  'points',
] as const;
type StoreStep = (typeof STORE_STEPS)[number];

export const receiptOf = (e: Erasure, adminName: string | null = null): ErasureReceipt => ({
  id: e.id,
  status: e.status,
  origin: e.origin,
  admin: e.adminId === null ? null : { id: e.adminId, name: adminName },
  startedAt: e.startedAt.toISOString(),
  finishedAt: e.finishedAt?.toISOString() ?? null,
  tables: e.steps,
  rows: e.rows,
  resumed: e.resumed,
});

const iso = (value: unknown) =>
  value instanceof Date ? value.toISOString() : (value as string | null);

/** A row as Strapi's query engine read it, JSON-ready (dates as ISO strings). */
const plain = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? iso(v) : v]));

/**
 * A member's data (GDPR art. 15, 17 and 20): the export of every row the plugin holds about
 * them, and their erase. Each store gives its part (`ofMember` / `eraseMember`); this service
 * orders them. An erase is a persisted job (stores/erasures): a tombstone first (a keyed hash
 * of the id: events for the member are refused from then on), then one committed step per
 * store, then a sweep after every process has seen the tombstone; a crash leaves the job to
 * the next start. It ends with a receipt that names no one and the `member.erased` webhook.
 */
const privacyService = ({ strapi }: { strapi: Core.Strapi }) => {
  const settingsStore = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'privacy-key' });
  let key: Buffer | null = null;
  const tombstones = {
    hashes: new Set<string>(),
    loadedAt: 0,
    pending: null as Promise<void> | null,
  };
  const running = new Map<number, Promise<ErasureReceipt>>();
  let timer: NodeJS.Timeout | null = null;

  /** The secret the tombstones' hashes are keyed with: made once, kept in the plugin store. */
  const hashKey = async (): Promise<Buffer> => {
    if (key) return key;
    let stored = (await settingsStore().get({})) as string | null;
    if (!stored) {
      await settingsStore().set({ value: crypto.randomBytes(32).toString('hex') });
      // Two processes starting at once: both use whichever was written last.
      stored = (await settingsStore().get({})) as string;
    }
    key = Buffer.from(stored, 'hex');
    return key;
  };

  const hashOf = async (userId: number) =>
    crypto
      .createHmac('sha256', await hashKey())
      .update(`member:${userId}`)
      .digest('hex');

  const refreshTombstones = async () => {
    if (!tombstones.pending)
      tombstones.pending = tombstoneStore(strapi)
        .all()
        .then((hashes) => {
          tombstones.hashes = hashes;
          tombstones.loadedAt = Date.now();
        })
        .finally(() => {
          tombstones.pending = null;
        });
    return tombstones.pending;
  };

  /** Where the member stands now on every board they have points on, each period. */
  const standingsOf = async (userId: number, entries: Record<string, unknown>[]) => {
    const scopes = new Set(entries.map((e) => e.scope).filter((s): s is string => !!s));
    const boards = ['site', ...[...scopes].sort()];
    const leaderboards = getService(strapi, 'leaderboards');
    const standings = [];
    for (const board of boards)
      for (const period of LEADERBOARD_PERIODS)
        standings.push(await leaderboards.rank(userId, { board, period }));
    return standings;
  };

  /** Receipts naming the admins who asked for them (null: that admin account is gone). */
  const receiptsOf = async (jobs: Erasure[]): Promise<ErasureReceipt[]> => {
    const ids = [...new Set(jobs.flatMap((j) => (j.adminId === null ? [] : [j.adminId])))];
    const admins: { id: number; firstname?: string; lastname?: string; email?: string }[] =
      ids.length === 0
        ? []
        : await strapi.db.query('admin::user').findMany({
            where: { id: { $in: ids } },
            select: ['id', 'firstname', 'lastname', 'email'],
          });
    const names = new Map(
      admins.map((a) => [
        a.id,
        [a.firstname, a.lastname].filter(Boolean).join(' ') || a.email || null,
      ])
    );
    return jobs.map((j) =>
      receiptOf(j, j.adminId === null ? null : (names.get(j.adminId) ?? null))
    );
  };
  const receiptOfJob = async (job: Erasure) => (await receiptsOf([job]))[0];

  const leaseMs = () => Math.max(pluginConfig(strapi).processing.leaseMs, TOMBSTONE_TTL_MS * 2);

  const revokesCredentials = async () =>
    (await getService(strapi, 'settings').get()).privacy.revokeCredentialsOnErase;

  /** Runs (or resumes) one claimed job to its receipt. */
  const runJob = async (
    job: Erasure,
    opts: { onStepDone?: (step: string) => void } = {}
  ): Promise<ErasureReceipt> => {
    const userId = job.userId!;
    const steps: ErasureSteps = { ...job.steps };
    const done = new Set(Object.keys(steps).filter((k) => !k.includes('.')));
    const jobs = erasureStore(strapi);
    const startedAt = Date.now();

    const step = async (name: string, work: (trx: Connection) => Promise<ErasureSteps>) => {
      if (done.has(name)) return;
      await inTransaction(strapi, async (trx) => {
        const counts = await work(trx);
        for (const [table, n] of Object.entries(counts)) steps[table] = (steps[table] ?? 0) + n;
        steps[name] = steps[name] ?? 0;
        await jobs.saveSteps(job.id, steps, trx);
      });
      done.add(name);
      opts.onStepDone?.(name);
    };

    const eraseStore = async (store: StoreStep, trx: Connection): Promise<ErasureSteps> => {
      switch (store) {
        case 'ledger': {
          // The pseudonym is the job's own number, negative: no member id, and one actor
          // stays one distinct actor in other members' counts.
          const r = await ledgerStore(strapi).eraseMember(userId, -job.id, trx);
          return { 'ledger.deleted': r.deleted, 'ledger.pseudonymised': r.pseudonymised };
        }
        case 'achievements':
          return {
            'achievements.deleted': await achievementStore(strapi).eraseMember(userId, trx),
          };
        case 'progress':
          return { 'progress.deleted': await progressStore(strapi).eraseMember(userId, trx) };
        case 'streaks':
          return { 'streaks.deleted': await streakStore(strapi).eraseMember(userId, trx) };
        case 'preferences':
          return { 'preferences.deleted': await preferenceStore(strapi).eraseMember(userId, trx) };
        case 'credentials':
          return {
            'credentials.deleted': await credentialsStore(strapi).eraseMember(userId, trx),
          };
        case 'notifications':
          return {
            'notifications.deleted': await notificationStore(strapi).eraseMember(userId, trx),
          };
        case 'digests':
          return { 'digests.deleted': await digestStore(strapi).eraseMember(userId, trx) };
        case 'points':
          return { 'points.deleted': await pointStore(strapi).eraseMember(userId, trx) };
      }
    };

    // Outside the steps' transactions: on SQLite the pool has one connection.
    const hash = await hashOf(userId);
    await step('tombstone', async (trx) => {
      await tombstoneStore(strapi).add(hash, trx);
      return {};
    });
    tombstones.hashes.add(hash);
    // Credentials in force are revoked first (their status bits outlive the rows); outside the
    // steps' transactions, and idempotent: a resumed job revokes only what is still in force.
    // Off, the copies the member holds stay valid: only the plugin's rows go.
    if (await revokesCredentials())
      await getService(strapi, 'credentials').revokeAllOf(userId, 'member erased');
    for (const store of STORE_STEPS) await step(store, (trx) => eraseStore(store, trx));
    // Facts another process recorded before it saw the tombstone, and rows an evaluation
    // that had read the member's facts wrote after the steps above: removed by a last pass.
    const waited = Date.now() - startedAt;
    if (!done.has('sweep') && waited < TOMBSTONE_TTL_MS + 250)
      await new Promise((r) => setTimeout(r, TOMBSTONE_TTL_MS + 250 - waited));
    await step('sweep', async (trx) => {
      const counts: ErasureSteps = {};
      for (const store of STORE_STEPS) Object.assign(counts, await eraseStore(store, trx));
      return counts;
    });

    const tables: ErasureSteps = {};
    for (const [k, n] of Object.entries(steps)) if (k.includes('.')) tables[k] = n;
    const receipt = await receiptOfJob(await jobs.finish(job.id, tables));
    getService(strapi, 'statistics').invalidate();
    strapi.eventHub.emit(MEMBER_ERASED, { member: { id: userId } });
    strapi.log.info(
      `achievements: erased a member's data (erasure ${job.id}, ${receipt.rows} rows` +
        `${job.resumed ? `, resumed ${job.resumed}×` : ''})`
    );
    return receipt;
  };

  /** Runs a claimed job once in this process (a second caller waits for the same run). */
  const run = (job: Erasure, opts: { onStepDone?: (step: string) => void } = {}) => {
    let p = running.get(job.id);
    if (!p) {
      p = runJob(job, opts).finally(() => running.delete(job.id));
      running.set(job.id, p);
    }
    return p;
  };

  /** Resumes erases a stopped process left running (their lease ran out). */
  const resumeAbandoned = async () => {
    for (const job of await erasureStore(strapi).abandoned(leaseMs())) {
      if (running.has(job.id)) continue;
      if (!(await erasureStore(strapi).claim(job.id, leaseMs(), true))) continue;
      const claimed = (await erasureStore(strapi).byId(job.id))!;
      strapi.log.warn(`achievements: resuming erasure ${job.id}, interrupted before it finished`);
      await run(claimed).catch((error: Error) =>
        strapi.log.error(`achievements: erasure ${job.id} failed: ${error.message}`)
      );
    }
  };

  const memberOf = async (userId: number): Promise<Member> => {
    const user = await strapi.db
      .query(UID.user)
      .findOne({ where: { id: userId }, select: ['id', 'documentId', 'username'] });
    if (!user) throw new errors.NotFoundError(`member ${userId} not found`);
    return { id: user.id, documentId: user.documentId, username: user.username };
  };

  /** The member's credentials as stored, with their id URL and their published status. */
  const credentialsOf = async (userId: number) => {
    const lists = statusListsStore(strapi);
    const rows = await credentialsStore(strapi).ofMember(userId);
    const out = [];
    for (const row of rows)
      out.push({
        ...plain(row as unknown as Record<string, unknown>),
        url: String(row.document.id),
        status: (await lists.isRevoked(row.statusListId, row.statusIndex)) ? 'revoked' : 'valid',
      });
    return out;
  };

  return {
    /** Whether events for this member must be refused: they were erased (or are being). */
    async isErased(userId: number): Promise<boolean> {
      if (Date.now() - tombstones.loadedAt > TOMBSTONE_TTL_MS) await refreshTombstones();
      if (tombstones.hashes.size === 0) return false;
      return tombstones.hashes.has(await hashOf(userId));
    },

    /**
     * Removes facts of erased members from the ledger again (a recalculation's replay reads the
     * host's documents, which may still name a member who kept their account); their acts on
     * others are pseudonymised as an erase does. Costs a hash per member with facts, and
     * nothing when nobody was erased.
     */
    async forgetErasedFacts(): Promise<number> {
      await refreshTombstones();
      if (tombstones.hashes.size === 0) return 0;
      let removed = 0;
      for (const userId of await ledgerStore(strapi).members()) {
        const hash = await hashOf(userId);
        if (!tombstones.hashes.has(hash)) continue;
        const pseudonym = -(parseInt(hash.slice(0, 7), 16) + 1);
        removed += (await ledgerStore(strapi).eraseMember(userId, pseudonym)).deleted;
      }
      return removed;
    },

    /** Row counts of what an erase of this member removes (the admin's confirmation). */
    async preview(userId: number): Promise<ErasePreview> {
      await memberOf(userId);
      const ledger = await ledgerStore(strapi).countMember(userId);
      return {
        ledger: ledger.own,
        ledgerActedIn: ledger.actedIn,
        achievements: await achievementStore(strapi).countMember(userId),
        progress: await progressStore(strapi).countMember(userId),
        streaks: await streakStore(strapi).countMember(userId),
        preferences: await preferenceStore(strapi).countMember(userId),
        notifications: await notificationStore(strapi).countMember(userId),
        credentials: await credentialsStore(strapi).count({ userId }),
        credentialsInForce: await credentialsStore(strapi).count({ userId, revokedAt: null }),
        revokesCredentials: await revokesCredentials(),
        points: await pointStore(strapi).countMember(userId),
        digests: await digestStore(strapi).countMember(userId),
      };
    },

    /**
     * Erases every row the plugin holds about the member and returns the receipt. Idempotent:
     * a second erase finds nothing and reports 0 rows. The user account itself is the host's.
     * `onStepDone` is told each committed step (tests inject a crash with it).
     */
    async erase(
      userId: number,
      opts: {
        origin?: EraseOrigin;
        /** The admin who asked for it, named on the receipt. */
        adminId?: number;
        onStepDone?: (step: string) => void;
      } = {}
    ): Promise<ErasureReceipt> {
      if (!Number.isInteger(userId) || userId <= 0)
        throw new errors.ValidationError('userId: must be a member id (a whole number)');
      const jobs = erasureStore(strapi);
      const existing = await jobs.runningFor(userId);
      if (existing) {
        const inProcess = running.get(existing.id);
        if (inProcess) return inProcess;
        if (!(await jobs.claim(existing.id, leaseMs(), true)))
          throw new errors.ApplicationError(
            'an erase of this member is running in another process'
          );
        return run((await jobs.byId(existing.id))!, opts);
      }
      const id = await jobs.begin(userId, opts.origin ?? 'service', opts.adminId ?? null);
      await jobs.claim(id, leaseMs(), false);
      return run((await jobs.byId(id))!, opts);
    },

    /**
     * Inside a host's delete of users (a db lifecycle, in its transaction): writes their erase
     * jobs on that transaction, so they exist exactly when the deletion commits, and runs them
     * after the commit. Never throws: the host's delete keeps its result.
     */
    async eraseDeletedUsers(userIds: number[]) {
      if (userIds.length === 0) return;
      const start = (ids: number[]) => {
        for (const id of ids)
          void (async () => {
            if (!(await erasureStore(strapi).claim(id, leaseMs(), false))) return;
            await run((await erasureStore(strapi).byId(id))!);
          })().catch((error: Error) =>
            strapi.log.error(`achievements: erase after a user deletion failed: ${error.message}`)
          );
      };
      try {
        if (strapi.db.inTransaction()) {
          await strapi.db.transaction(async ({ trx, onCommit }) => {
            const ids: number[] = [];
            for (const userId of userIds)
              ids.push(await erasureStore(strapi).begin(userId, 'user-deleted', null, trx));
            onCommit(() => start(ids));
          });
        } else {
          const ids: number[] = [];
          for (const userId of userIds)
            ids.push(await erasureStore(strapi).begin(userId, 'user-deleted', null));
          start(ids);
        }
      } catch (error) {
        strapi.log.error(
          `achievements: could not start the erase of deleted users: ${(error as Error).message}`
        );
      }
    },

    /** users-permissions users deleted by any path (admin, API, document service, query engine). */
    subscribeUserLifecycles() {
      const idsOf = async (where: unknown): Promise<number[]> => {
        const rows = await strapi.db
          .query(UID.user)
          .findMany({ where: where as any, select: ['id'] });
        return rows.map((r: any) => Number(r.id));
      };
      strapi.db.lifecycles.subscribe({
        models: [UID.user],
        afterDelete: async (event: any) => {
          const id = Number(event.result?.id);
          if (Number.isInteger(id) && id > 0) await this.eraseDeletedUsers([id]);
        },
        beforeDeleteMany: async (event: any) => {
          try {
            event.state.achievementsUserIds = await idsOf(event.params?.where ?? {});
          } catch (error) {
            strapi.log.error(`achievements: could not read the users being deleted: ${error}`);
          }
        },
        afterDeleteMany: async (event: any) => {
          await this.eraseDeletedUsers(event.state?.achievementsUserIds ?? []);
        },
      });
    },

    /** Starts resuming interrupted erases now and on every poll interval. */
    start() {
      const tick = () =>
        void resumeAbandoned().catch((error: Error) =>
          strapi.log.error(`achievements: could not resume erasures: ${error.message}`)
        );
      tick();
      timer = setInterval(tick, pluginConfig(strapi).processing.pollIntervalMs);
      timer.unref?.();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.allSettled([...running.values()]);
    },

    /** Resolves when the erases this process runs now have finished (tests, shutdown). */
    async settle() {
      while (running.size) await Promise.allSettled([...running.values()]);
    },

    /**
     * Lets a member who was erased but kept their account earn again: their tombstone goes,
     * and a record (origin `tombstone-lifted`, no identity) joins the receipts in the same
     * transaction. Facts from before the erase stay gone; a recalculation may replay the
     * host's documents that still name them.
     */
    async liftTombstone(userId: number, by: { adminId?: number } = {}): Promise<ErasureReceipt> {
      await memberOf(userId);
      if (await erasureStore(strapi).runningFor(userId))
        throw new errors.ApplicationError(
          `member ${userId} is being erased: lift the tombstone once the erase has finished`
        );
      const hash = await hashOf(userId);
      const id = await inTransaction(strapi, async (trx) => {
        const removed = await tombstoneStore(strapi).remove(hash, trx);
        if (removed === 0)
          throw new errors.NotFoundError(
            `member ${userId} has no tombstone: never erased, or already allowed to earn again`
          );
        return erasureStore(strapi).record(
          TOMBSTONE_LIFTED,
          by.adminId ?? null,
          { 'tombstones.deleted': removed },
          trx
        );
      });
      tombstones.hashes.delete(hash);
      strapi.log.info(
        `achievements: admin ${by.adminId ?? '(service)'} lifted a tombstone (record ${id})`
      );
      return receiptOfJob((await erasureStore(strapi).byId(id))!);
    },

    /** Receipts, newest first. */
    async receipts(page = 1, pageSize = 20) {
      const { rows, total } = await erasureStore(strapi).list(page, pageSize);
      return { data: await receiptsOf(rows), meta: { page, pageSize, total } };
    },

    /**
     * The export document (common/api.ts `MemberExport`) as a stream of JSON text: the
     * ledger a page at a time, so a member with 100k facts is never held in memory whole.
     */
    async exportStream(userId: number): Promise<Readable> {
      const member = await memberOf(userId);
      const ledger = ledgerStore(strapi);
      const achievements = (await achievementStore(strapi).ofMember(userId)).map(plain);
      const progress = (await progressStore(strapi).ofMember(userId)).map(plain);
      const [streak] = (await streakStore(strapi).ofMember(userId)).map(plain);
      const [preferences] = (await preferenceStore(strapi).ofMember(userId)).map(plain);
      const notifications = (await notificationStore(strapi).ofMember(userId)).map(plain);
      const credentials = await credentialsOf(userId);
      const digests = (await digestStore(strapi).ofMember(userId)).map(plain);
      const pointsEntries = (await pointStore(strapi).ofMember(userId)).map(plain);
      const catalog = await getService(strapi, 'catalog').get();
      const named = new Set([
        ...achievements.map((a) => a.badgeId as number),
        ...progress.map((p) => p.badgeId as number),
      ]);
      const badges = catalog.badges
        .filter((b) => named.has(b.id))
        .map((b) => ({ id: b.id, slug: b.slug, name: b.name }));
      const { points, level } = await getService(strapi, 'points').shownStanding(userId);
      const standings = await standingsOf(userId, pointsEntries);

      async function* ledgerPages(role: 'member' | 'actor') {
        let after = 0;
        let first = true;
        for (;;) {
          const page = await ledger.pageOfMember(userId, role, after, EXPORT_PAGE);
          if (page.length === 0) return;
          let text = '';
          for (const r of page) {
            text += (first ? '' : ',') + JSON.stringify(plain(r));
            first = false;
          }
          yield text;
          after = Number(page[page.length - 1].id);
        }
      }

      async function* document() {
        const head = {
          schema: MEMBER_EXPORT_SCHEMA,
          version: MEMBER_EXPORT_VERSION,
          exportedAt: new Date().toISOString(),
          member,
        };
        yield JSON.stringify(head).slice(0, -1) + ',"events":[';
        yield* ledgerPages('member');
        yield '],"actedIn":[';
        yield* ledgerPages('actor');
        yield '],' + JSON.stringify({ achievements, progress }).slice(1, -1);
        yield (
          ',' +
          JSON.stringify({
            streak: streak ?? null,
            preferences: preferences ?? null,
            notifications,
            credentials,
            digests,
            pointsEntries,
            points,
            level,
            standings,
            badges,
          }).slice(1)
        );
      }

      return Readable.from(document(), { objectMode: false });
    },
  };
};

export default privacyService;
