import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';

/**
 * The ledger's occurredAt column is NOT NULL (content-types/event: `column.notNullable`). Before
 * that, an event with an invalid date (e.g. `occurredAt: 8640000000000001`) was stored with NULL
 * and marked processed without being evaluated: accepted, then lost. Strapi's schema sync cannot
 * add NOT NULL over such rows, so this runs just before it (the `beforeSync` hook) on databases
 * that still have them: each gets the instant it was recorded, and is evaluated like a late fact.
 * Once the column is NOT NULL it only reads the column's description.
 */
export const repairEventDates = async (strapi: Core.Strapi): Promise<void> => {
  const meta = strapi.db.metadata.get(UID.event as any);
  const col = (attribute: string) =>
    (meta.attributes[attribute] as { columnName?: string } | undefined)?.columnName ?? attribute;
  const knex = strapi.db.connection;
  if (!(await knex.schema.hasTable(meta.tableName))) return; // a new database: sync creates it
  const occurredAt = col('occurredAt');
  const info = (await knex(meta.tableName).columnInfo(occurredAt as any)) as unknown as {
    nullable?: boolean;
  };
  if (info && info.nullable === false) return;
  const repaired = await knex(meta.tableName)
    .whereNull(occurredAt)
    .update({
      [occurredAt]: knex.raw('COALESCE(??, CURRENT_TIMESTAMP)', [col('createdAt')]),
      [col('processedAt')]: null,
      [col('claimedAt')]: null,
      [col('claimedBy')]: null,
    });
  if (Number(repaired) > 0) {
    strapi.log.warn(
      `[achievements] ${repaired} ledger event(s) had no valid occurredAt (stored before dates ` +
        'were checked): dated when they were recorded and queued for evaluation'
    );
  }
};
