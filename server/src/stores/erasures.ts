import { UID } from '../../../common/constants';
import { affected, columns, fromJson, row, tableOf, toDate, type Table } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/** Rows removed (or pseudonymised) per table by one erase, in the order the steps ran. */
export type ErasureSteps = Record<string, number>;

/** One erase: the job while it runs, then its receipt. */
export interface Erasure {
  id: number;
  /** Set only while the erase runs (to resume it); a finished receipt holds no identity. */
  userId: number | null;
  status: 'running' | 'done';
  origin: string;
  /** The admin who asked for it (an erase from the admin, a lifted tombstone); null otherwise. */
  adminId: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  steps: ErasureSteps;
  rows: number;
  /** How many times a start resumed it after the process running it stopped. */
  resumed: number;
}

const erasureOf = (t: Table, r: Record<string, any>): Erasure => ({
  id: Number(r.id),
  userId: r[t.col('userId')] === null ? null : Number(r[t.col('userId')]),
  status: r[t.col('status')],
  origin: r[t.col('origin')] ?? 'service',
  adminId: r[t.col('adminId')] == null ? null : Number(r[t.col('adminId')]),
  startedAt: toDate(r[t.col('startedAt')])!,
  finishedAt: toDate(r[t.col('finishedAt')]),
  steps: fromJson<ErasureSteps>(r[t.col('steps')]) ?? {},
  rows: Number(r[t.col('rows')] ?? 0),
  resumed: Number(r[t.col('resumed')] ?? 0),
});

/**
 * Erase jobs and receipts (services/privacy). A job is written before the first row is
 * removed, records each step as it commits, and is claimed with a lease, so an erase a crash
 * interrupted is resumed by the next start (or another process) and never run twice at once.
 */
export const erasureStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.erasure);
  const knex = () => strapi.db.connection;

  const byId = async (id: number): Promise<Erasure | null> => {
    const table = t();
    const r = await knex()(table.name).where('id', id).first();
    return r ? erasureOf(table, r) : null;
  };

  const insert = async (
    values: {
      userId: number | null;
      status: Erasure['status'];
      origin: string;
      adminId: number | null;
    },
    steps: ErasureSteps,
    conn: Connection
  ): Promise<number> => {
    const table = t();
    const now = new Date();
    const inserted = await conn(table.name).insert(
      row(
        table,
        {
          ...values,
          startedAt: now,
          finishedAt: values.status === 'done' ? now : null,
          claimedAt: null,
          steps: JSON.stringify(steps),
          rows: Object.values(steps).reduce((a, b) => a + b, 0),
          resumed: 0,
        },
        now
      ),
      ['id']
    );
    const first = Array.isArray(inserted) ? inserted[0] : inserted;
    return Number(typeof first === 'object' && first !== null ? first.id : first);
  };

  return {
    byId,

    /** Writes a new running job (on `conn`: inside a host's delete, it commits with it). */
    async begin(
      userId: number,
      origin: string,
      adminId: number | null,
      conn: Connection = knex()
    ): Promise<number> {
      return insert({ userId, status: 'running', origin, adminId }, {}, conn);
    },

    /**
     * Writes a finished record that names no member and is never resumed (a lifted
     * tombstone), on `conn`: it commits with the change it records.
     */
    async record(
      origin: string,
      adminId: number | null,
      steps: ErasureSteps,
      conn: Connection = knex()
    ): Promise<number> {
      return insert({ userId: null, status: 'done', origin, adminId }, steps, conn);
    },

    /** The running job erasing this member, if any. */
    async runningFor(userId: number): Promise<Erasure | null> {
      const table = t();
      const r = await knex()(table.name)
        .where(table.col('status'), 'running')
        .where(table.col('userId'), userId)
        .orderBy('id')
        .first();
      return r ? erasureOf(table, r) : null;
    },

    /**
     * Takes the job for this process when nobody holds it, or its holder's lease ran out
     * (`resume`: counted as a resumption). False when another process holds it.
     */
    async claim(id: number, leaseMs: number, resume: boolean): Promise<boolean> {
      const table = t();
      const now = new Date();
      const update: Record<string, unknown> = { [table.col('claimedAt')]: now };
      if (resume) update[table.col('resumed')] = knex().raw('?? + 1', [table.col('resumed')]);
      const n = await knex()(table.name)
        .where('id', id)
        .where(table.col('status'), 'running')
        .where((w: any) =>
          w
            .whereNull(table.col('claimedAt'))
            .orWhere(table.col('claimedAt'), '<', new Date(now.getTime() - leaseMs))
        )
        .update(update);
      return affected(n) === 1;
    },

    /** Records a committed step (and renews the lease), on the step's transaction. */
    async saveSteps(id: number, steps: ErasureSteps, conn: Connection = knex()) {
      const table = t();
      await conn(table.name)
        .where('id', id)
        .update(
          columns(table, {
            steps: JSON.stringify(steps),
            rows: Object.values(steps).reduce((a, b) => a + b, 0),
            claimedAt: new Date(),
            updatedAt: new Date(),
          })
        );
    },

    /** The receipt: done, and the member's id forgotten. */
    async finish(id: number, steps: ErasureSteps) {
      const table = t();
      const now = new Date();
      await knex()(table.name)
        .where('id', id)
        .update(
          columns(table, {
            status: 'done',
            userId: null,
            steps: JSON.stringify(steps),
            rows: Object.values(steps).reduce((a, b) => a + b, 0),
            finishedAt: now,
            claimedAt: null,
            updatedAt: now,
          })
        );
      return (await byId(id))!;
    },

    /** Running jobs nobody holds (or whose holder's lease ran out): what a start resumes. */
    async abandoned(leaseMs: number): Promise<Erasure[]> {
      const table = t();
      const rows = await knex()(table.name)
        .where(table.col('status'), 'running')
        .where((w: any) =>
          w
            .whereNull(table.col('claimedAt'))
            .orWhere(table.col('claimedAt'), '<', new Date(Date.now() - leaseMs))
        )
        .orderBy('id');
      return rows.map((r: any) => erasureOf(table, r));
    },

    /** Receipts and running jobs, newest first, a page at a time. */
    async list(page: number, pageSize: number) {
      const table = t();
      const rows = await knex()(table.name)
        .orderBy('id', 'desc')
        .limit(pageSize)
        .offset((page - 1) * pageSize);
      const [{ total }] = await knex()(table.name).count({ total: '*' });
      return { rows: rows.map((r: any) => erasureOf(table, r)), total: Number(total) };
    },
  };
});
