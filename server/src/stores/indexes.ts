import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import { dialectOf, tableOf } from './sql';

/**
 * Indexes the database must have. Strapi has no unique constraint over several columns of a
 * content type and no index on the columns the engine reads by, so the plugin creates them on
 * every start (idempotently). Strapi's schema sync never drops an index it does not know.
 * The unique ones are what make awards exactly-once: see docs/ARCHITECTURE.md, "The flow of one fact".
 */
export const INDEXES: Array<{ uid: string; name: string; attributes: string[]; unique?: boolean }> =
  [
    // Idempotency keys are the sender's, so one per member: another member's "k1" is its own fact.
    {
      uid: UID.event,
      name: 'ach_events_user_key_uq',
      attributes: ['userId', 'key'],
      unique: true,
    },
    { uid: UID.event, name: 'ach_events_pending_idx', attributes: ['processedAt', 'occurredAt'] },
    {
      uid: UID.event,
      name: 'ach_events_user_type_idx',
      attributes: ['userId', 'type', 'occurredAt'],
    },
    // A member's erase and export find the facts they acted in (reactions they gave).
    { uid: UID.event, name: 'ach_events_actor_idx', attributes: ['actorId'] },
    {
      uid: UID.achievement,
      name: 'ach_achievements_user_badge_seq_uq',
      attributes: ['userId', 'badgeId', 'sequence'],
      unique: true,
    },
    // Holders per badge (rarity) are counted from this index alone, one badge at a time.
    {
      uid: UID.achievement,
      name: 'ach_achievements_badge_holders_idx',
      attributes: ['badgeId', 'revokedAt', 'userId'],
    },
    {
      uid: UID.progress,
      name: 'ach_progress_user_badge_uq',
      attributes: ['userId', 'badgeId'],
      unique: true,
    },
    { uid: UID.streak, name: 'ach_streaks_user_uq', attributes: ['userId'], unique: true },
    { uid: UID.preference, name: 'ach_preferences_user_uq', attributes: ['userId'], unique: true },
    // Who boards hide by preference, read on every board read (normally few): two ranges.
    {
      uid: UID.preference,
      name: 'ach_preferences_leaderboards_idx',
      attributes: ['leaderboards', 'userId'],
    },
    { uid: UID.preference, name: 'ach_preferences_public_idx', attributes: ['public', 'userId'] },
    { uid: UID.tombstone, name: 'ach_tombstones_hash_uq', attributes: ['hash'], unique: true },
    { uid: UID.erasure, name: 'ach_erasures_status_idx', attributes: ['status', 'userId'] },
    // One notification per change, whichever process or retry writes it.
    {
      uid: UID.notification,
      name: 'ach_notifications_dedupe_uq',
      attributes: ['dedupeKey'],
      unique: true,
    },
    // A member's list (newest first) and unseen count.
    { uid: UID.notification, name: 'ach_notifications_user_idx', attributes: ['userId', 'seenAt'] },
    // Every credential fetch and first issue reads the one in force by achievement, and a
    // revocation by member, badge and sequence: without these, each read scanned every
    // credential ever issued (P9: 106 ms per fetch at 50k credentials).
    {
      uid: UID.credential,
      name: 'ach_credentials_achievement_idx',
      attributes: ['achievementDocumentId', 'revokedAt'],
    },
    {
      uid: UID.credential,
      name: 'ach_credentials_user_badge_idx',
      attributes: ['userId', 'badgeId', 'sequence'],
    },
    // The digest scheduler's scan: notifications no digest carries yet, by when written.
    {
      uid: UID.notification,
      name: 'ach_notifications_email_idx',
      attributes: ['emailedAt', 'createdAt'],
    },
    // One digest per batch of notifications, whichever process plans it.
    { uid: UID.digest, name: 'ach_digests_dedupe_uq', attributes: ['dedupeKey'], unique: true },
    // Digests due: pending ones by next attempt.
    { uid: UID.digest, name: 'ach_digests_due_idx', attributes: ['status', 'nextAttemptAt'] },
    { uid: UID.digest, name: 'ach_digests_user_idx', attributes: ['userId'] },
    // One points entry per source: a replay, a retry or a recalculation appends nothing.
    {
      uid: UID.point,
      name: 'ach_points_source_uq',
      attributes: ['source', 'sourceKey'],
      unique: true,
    },
    // Site boards aggregate a period from this index alone; course boards from the next.
    {
      uid: UID.point,
      name: 'ach_points_period_idx',
      attributes: ['occurredAt', 'userId', 'amount'],
    },
    {
      uid: UID.point,
      name: 'ach_points_scope_idx',
      attributes: ['scope', 'occurredAt', 'userId', 'amount'],
    },
    // A member's total, rank and the evaluator's cap reads; their erase and export.
    {
      uid: UID.point,
      name: 'ach_points_user_idx',
      attributes: ['userId', 'source', 'occurredAt'],
    },
    // One total per member, board and period: the points store adds to it (upsert).
    {
      uid: UID.pointTotal,
      name: 'ach_point_totals_uq',
      attributes: ['userId', 'board', 'label'],
      unique: true,
    },
    // A board's snapshot reads one range of this index.
    {
      uid: UID.pointTotal,
      name: 'ach_point_totals_board_idx',
      attributes: ['board', 'label', 'points', 'userId'],
    },
    // A stream ticket opens one stream, whichever process it reaches first.
    {
      uid: UID.streamTicket,
      name: 'ach_stream_tickets_nonce_uq',
      attributes: ['nonce'],
      unique: true,
    },
    { uid: UID.streamTicket, name: 'ach_stream_tickets_expiry_idx', attributes: ['expiresAt'] },
  ];

/** Indexes earlier releases created that a current one replaces: dropped when found. */
const REPLACED: Array<{ uid: string; name: string; by: string }> = [
  {
    uid: UID.achievement,
    name: 'ach_achievements_badge_idx',
    by: 'ach_achievements_badge_holders_idx',
  },
  { uid: UID.event, name: 'ach_events_key_uq', by: 'ach_events_user_key_uq' },
];

const knex = (strapi: Core.Strapi) => strapi.db.connection;

export const indexExists = async (
  strapi: Core.Strapi,
  table: string,
  name: string
): Promise<boolean> => {
  switch (dialectOf(strapi)) {
    case 'sqlite': {
      const rows = await knex(strapi).raw(
        `SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?`,
        [name]
      );
      return rows.length > 0;
    }
    case 'postgres': {
      const { rows } = await knex(strapi).raw(
        `SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ?`,
        [name]
      );
      return rows.length > 0;
    }
    default: {
      const [rows] = await knex(strapi).raw(
        `SELECT 1 FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?`,
        [table, name]
      );
      return rows.length > 0;
    }
  }
};

const dropReplacedIndexes = async (strapi: Core.Strapi) => {
  for (const index of REPLACED) {
    const table = tableOf(strapi, index.uid);
    if (!(await indexExists(strapi, table.name, index.name))) continue;
    if (!(await indexExists(strapi, table.name, index.by))) continue;
    try {
      await knex(strapi).schema.alterTable(table.name, (t) => t.dropIndex([], index.name));
    } catch (error) {
      // Another process may have dropped it between the check and now.
      if (!(await indexExists(strapi, table.name, index.name))) continue;
      strapi.log.warn(
        `achievements: could not drop the replaced index ${index.name}: ${(error as Error).message}`
      );
    }
  }
};

/** Creates the indexes the plugin's tables need (idempotent; run on every start). */
export const ensureIndexes = async (strapi: Core.Strapi) => {
  for (const index of INDEXES) {
    const table = tableOf(strapi, index.uid);
    if (await indexExists(strapi, table.name, index.name)) continue;
    const cols = index.attributes.map(table.col);
    try {
      await knex(strapi).schema.alterTable(table.name, (t) => {
        if (index.unique) t.unique(cols, { indexName: index.name });
        else t.index(cols, index.name);
      });
    } catch (error) {
      // Another process may have created it between the check and now.
      if (await indexExists(strapi, table.name, index.name)) continue;
      throw new Error(
        `achievements: could not create index ${index.name} on ${table.name}(${cols.join(', ')}): ${(error as Error).message}`
      );
    }
  }
  await dropReplacedIndexes(strapi);
};
