import type { Core } from '@strapi/strapi';
import { KEYED_ATTRIBUTES } from './keys';

/**
 * Creates the UNIQUE indexes on the natural-key columns, on every start, idempotently.
 *
 * Strapi's own `unique: true` is a read-then-write check that races, and its schema `indexes`
 * option does not support unique indexes on content-type tables, so the app owns these indexes.
 * Strapi's schema sync only drops indexes it created itself, so ours survive restarts; an index
 * lost anyway (a table rebuilt by a migration) is recreated on the next start.
 */
export const ensureUniqueKeyIndexes = async (strapi: Core.Strapi): Promise<void> => {
  for (const { uid, attribute } of KEYED_ATTRIBUTES) {
    const meta = strapi.db.metadata.get(uid);
    const column = (meta.attributes[attribute] as { columnName?: string } | undefined)?.columnName;
    if (!column) throw new Error(`${uid} has no column for ${attribute}`);
    const table = meta.tableName;
    // PostgreSQL cuts identifiers at 63 characters and MySQL refuses more than 64.
    const indexName = `${table}_${column}_uq`.slice(0, 60);

    if (await indexExists(strapi, table, indexName)) continue;
    try {
      await strapi.db
        .getSchemaConnection()
        .alterTable(table, (t) => t.unique([column], { indexName }));
      strapi.log.info(`[academy] created unique index ${indexName} on ${table}(${column})`);
    } catch (error) {
      // Another process starting on the same database may have created it a moment ago.
      if (await indexExists(strapi, table, indexName)) continue;
      throw new Error(
        `[academy] could not create unique index ${indexName} on ${table}(${column}); ` +
          `remove duplicate keys first: ${(error as Error).message}`
      );
    }
  }
};

const indexExists = async (strapi: Core.Strapi, table: string, indexName: string) => {
  const knex = strapi.db.connection;
  switch (strapi.db.dialect.client) {
    case 'sqlite': {
      const rows = await knex.raw(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?`,
        [indexName]
      );
      return rows.length > 0;
    }
    case 'postgres': {
      const schema = strapi.db.getSchemaName();
      const result = schema
        ? await knex.raw(
            'SELECT 1 FROM pg_indexes WHERE schemaname = ? AND tablename = ? AND indexname = ?',
            [schema, table, indexName]
          )
        : await knex.raw(
            'SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? AND indexname = ?',
            [table, indexName]
          );
      return result.rows.length > 0;
    }
    case 'mysql': {
      const [rows] = await knex.raw(
        'SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?',
        [table, indexName]
      );
      return rows.length > 0;
    }
    default:
      throw new Error(`[academy] unsupported database client ${strapi.db.dialect.client}`);
  }
};
