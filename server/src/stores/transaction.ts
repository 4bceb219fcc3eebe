import type { Core } from '@strapi/strapi';

/** A connection or a transaction the stores' writes can take (raw knex). */
export type Connection = any;

/**
 * Runs `work` in one database transaction over the plugin's tables: a page of a
 * recalculation writes its streaks, achievements and progress together (one commit, and on
 * SQLite one sync to disk, instead of one per statement). Each store's writes take the `trx`.
 */
export const inTransaction = <T>(
  strapi: Core.Strapi,
  work: (trx: Connection) => Promise<T>
): Promise<T> => strapi.db.connection.transaction(work);
