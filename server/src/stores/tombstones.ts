import { UID } from '../../../common/constants';
import { insertIgnore, row, tableOf } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/**
 * Tombstones: erased members as keyed hashes of their ids (services/privacy makes them). The
 * table holds no member id; it only lets the plugin recognise an id it must not record again.
 */
export const tombstoneStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.tombstone);
  const knex = () => strapi.db.connection;

  return {
    async add(hash: string, conn: Connection = knex()) {
      const table = t();
      await insertIgnore(strapi, conn, table.name, row(table, { hash }), [table.col('hash')]);
    },

    /** Removes a tombstone (an admin lets the member earn again); how many rows went. */
    async remove(hash: string, conn: Connection = knex()): Promise<number> {
      const table = t();
      return Number(await conn(table.name).where(table.col('hash'), hash).delete());
    },

    /** Every tombstone (erasures are rare: a small set). */
    async all(): Promise<Set<string>> {
      // The query engine joins the caller's transaction: events are recorded inside host
      // writes, and on SQLite a second connection would wait for that write forever.
      const rows = await strapi.db.query(UID.tombstone).findMany({ select: ['hash'] });
      return new Set(rows.map((r: any) => String(r.hash)));
    },
  };
});
