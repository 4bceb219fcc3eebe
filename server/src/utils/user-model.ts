import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import { TIMEZONE_TYPES } from '../config/resolve';
import { pluginConfig } from './plugin-config';

const warned = new WeakMap<Core.Strapi, Set<string>>();

/** Logs a degraded mode once per process (and Strapi instance), not on every request. */
export const warnOnce = (strapi: Core.Strapi, key: string, message: string) => {
  const seen = warned.get(strapi) ?? new Set<string>();
  warned.set(strapi, seen);
  if (seen.has(key)) return;
  seen.add(key);
  strapi.log.warn(message);
};

/**
 * The user table's column holding members' IANA timezones, or null: none configured or found.
 * Checked on every call against the database's model, not only at start-up, so a model that
 * lost the attribute since degrades to defaultTimezone (logged once) instead of failing reads
 * and the engine.
 */
export const timezoneColumn = (strapi: Core.Strapi): string | null => {
  const field = pluginConfig(strapi).timezoneField;
  if (field === null) return null;
  const attr = strapi.db.metadata.get(UID.user as any).attributes[field] as
    { type?: string; columnName?: string } | undefined;
  if (!attr || !TIMEZONE_TYPES.has(attr.type ?? '')) {
    warnOnce(
      strapi,
      `timezone:${field}`,
      `achievements: the users-permissions user has no text attribute "${field}" (timezoneField) any more: every member's streak days count in defaultTimezone until it is back`
    );
    return null;
  }
  return attr.columnName ?? field;
};
