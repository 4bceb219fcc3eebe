import { UID } from '../../../common/constants';
import { insertIgnore, row, tableOf } from './sql';
import { defineStore } from './store';

/**
 * Stream tickets that were used. A ticket is signed (services/notification-stream), so issuing
 * one writes nothing; using one inserts its nonce here, unique: of two processes a ticket
 * reaches, the database lets one insert win. Rows outlive their ticket only until the purge.
 */
export const streamTicketStore = defineStore((strapi) => {
  const t = () => tableOf(strapi, UID.streamTicket);
  const knex = () => strapi.db.connection;
  return {
    /** Records the ticket's use; false when it was used before (by any process). */
    async use(nonce: string, expiresAt: Date): Promise<boolean> {
      const table = t();
      return insertIgnore(strapi, knex(), table.name, row(table, { nonce, expiresAt }), [
        table.col('nonce'),
      ]);
    },

    /** Forgets tickets expired before `now`: an expired ticket is refused unread. */
    async purgeExpired(now = new Date()): Promise<number> {
      const table = t();
      return Number(await knex()(table.name).where(table.col('expiresAt'), '<', now).delete());
    },
  };
});
