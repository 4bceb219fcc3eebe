import { UID } from '../../../common/constants';
import type { PluginConfig, Trigger } from './schema';

/**
 * The plugin config as the services use it: the user's config with every default that depends
 * on the app (streak events, profile fields, timezone field) derived from what the app has, and
 * every content type and attribute the config names checked against the app's model. Resolved
 * once, in register (the models are loaded, the database is not), so a config that names what
 * the app lacks stops Strapi with a message saying what to add and where.
 */
export interface ResolvedConfig extends Omit<
  PluginConfig,
  'streakEvents' | 'profileFields' | 'timezoneField'
> {
  streakEvents: string[];
  profileFields: string[];
  /** null: the user model has no timezone attribute, every member is in defaultTimezone. */
  timezoneField: string | null;
}

/** An attribute as `strapi.getModel(uid).attributes` describes it. */
export interface ModelAttribute {
  type: string;
  relation?: string;
  target?: string;
  component?: string;
}
export type ModelLookup = (
  uid: string
) => { attributes: Record<string, ModelAttribute | undefined> } | undefined;

/** Looked for on the users-permissions user when the config does not name them. */
export const DEFAULT_PROFILE_FIELDS = ['avatar', 'bio', 'socialLinks'];
export const DEFAULT_TIMEZONE_FIELD = 'timezone';
export const TIMEZONE_TYPES = new Set(['string', 'text', 'enumeration']);

/** Every content type has these, whether or not its model lists them. */
const SYSTEM_ATTRIBUTES = new Set(['id', 'documentId', 'createdAt', 'updatedAt', 'publishedAt']);
const MEMBER_SCALARS = new Set(['integer', 'biginteger']);
const USER_EXTENSION_HINT =
  'add it to the users-permissions user model (README: "Profile fields and timezones")';

/** Events the app's triggers and externalEvents produce, retractions aside. */
const producedFacts = (config: PluginConfig): string[] => [
  ...config.triggers.filter((t) => !t.retracts).map((t) => t.event),
  ...config.externalEvents,
];

/** Without a configured list, a learning day is any day with a completion the app records. */
export const defaultStreakEvents = (config: PluginConfig): string[] => [
  ...new Set(producedFacts(config).filter((event) => event.endsWith('.completed'))),
];

/**
 * Why `path` does not lead anywhere from content type `uid`, or null when it does. A member path
 * (`user`, `actor`, `owner`) must end at a relation to the users-permissions user or an integer id.
 */
export const pathProblem = (
  model: ModelLookup,
  uid: string,
  path: string,
  member: boolean
): string | null => {
  const segments = path.split('.');
  let current = uid;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    const attr = model(current)?.attributes[segment];
    if (!attr) {
      if (SYSTEM_ATTRIBUTES.has(segment) && last && !member) return null;
      return member
        ? `"${current}" has no attribute "${segment}": add a relation "${segment}" to ${UID.user} there, or point the path at the attribute that holds the member`
        : `"${current}" has no attribute "${segment}": add it to that content type, or fix the path`;
    }
    const next =
      attr.type === 'relation'
        ? attr.target
        : attr.type === 'media'
          ? 'plugin::upload.file'
          : attr.type === 'component'
            ? attr.component
            : undefined;
    if (last) {
      if (!member) return null;
      if (attr.type === 'relation' && attr.target === UID.user) return null;
      if (MEMBER_SCALARS.has(attr.type)) return null;
      return `"${segment}" of "${current}" is ${attr.type === 'relation' ? `a relation to ${attr.target ?? 'several types'}` : `a ${attr.type} attribute`}: a member path must end at a relation to ${UID.user}`;
    }
    if (attr.type === 'json') return null; // a path into JSON is the app's own shape
    if (!next) {
      return `"${segment}" of "${current}" is ${attr.type === 'relation' ? 'a polymorphic relation' : `a ${attr.type} attribute`}: the path cannot go on to "${segments[index + 1]}"`;
    }
    current = next;
  }
  return null;
};

const triggerPaths = (t: Trigger): Array<[field: string, path: string, member: boolean]> => {
  const list = (field: string, value: string | string[] | undefined, member: boolean) =>
    value === undefined
      ? []
      : Array.isArray(value)
        ? value.map((p, i) => [`${field}.${i}`, p, member] as [string, string, boolean])
        : [[field, value, member] as [string, string, boolean]];
  return [
    ...list('user', t.user, true),
    ...list('actor', t.actor, true),
    ...list('owner', t.owner, true),
    ...list('subject', t.subject, false),
    ...list('occurredAt', t.occurredAt, false),
    ...Object.keys(t.when ?? {}).map((p) => [`when.${p}`, p, false] as [string, string, boolean]),
    ...list('data', t.data, false),
    ...list('scope', t.scope, false),
  ];
};

/** Throws one error listing everything the config names that the app lacks. */
export const resolveConfig = (config: PluginConfig, model: ModelLookup): ResolvedConfig => {
  const problems: string[] = [];
  const key = (path: string) => `achievements.${path}`;

  config.triggers.forEach((trigger, i) => {
    if (!model(trigger.uid)) {
      problems.push(
        `${key(`triggers.${i}.uid`)}: this app has no content type "${trigger.uid}": create it (Content-Type Builder, or src/api/…/content-types/…/schema.json) or fix the uid`
      );
      return;
    }
    for (const [field, path, member] of triggerPaths(trigger)) {
      const problem = pathProblem(model, trigger.uid, path, member);
      if (problem) problems.push(`${key(`triggers.${i}.${field}`)}: ${problem}`);
    }
  });

  const userAttributes = model(UID.user)?.attributes ?? {};
  const profileFields =
    config.profileFields ?? DEFAULT_PROFILE_FIELDS.filter((field) => userAttributes[field]);
  config.profileFields?.forEach((field, i) => {
    if (!userAttributes[field]) {
      problems.push(
        `${key(`profileFields.${i}`)}: the users-permissions user has no attribute "${field}": ${USER_EXTENSION_HINT}, or remove it from profileFields`
      );
    }
  });

  let timezoneField: string | null = null;
  if (config.timezoneField !== undefined) {
    const attr = userAttributes[config.timezoneField];
    if (!attr) {
      problems.push(
        `${key('timezoneField')}: the users-permissions user has no attribute "${config.timezoneField}": ${USER_EXTENSION_HINT}, or leave timezoneField out to count every member's days in defaultTimezone`
      );
    } else if (!TIMEZONE_TYPES.has(attr.type)) {
      problems.push(
        `${key('timezoneField')}: "${config.timezoneField}" is a ${attr.type} attribute; a timezone is a string holding an IANA name such as "Europe/Paris"`
      );
    } else {
      timezoneField = config.timezoneField;
    }
  } else if (TIMEZONE_TYPES.has(userAttributes[DEFAULT_TIMEZONE_FIELD]?.type ?? '')) {
    timezoneField = DEFAULT_TIMEZONE_FIELD;
  }

  if (problems.length) {
    throw new Error(
      `Invalid config of plugin "achievements" (config/plugins) for this app: ${problems.join('; ')}`
    );
  }
  return {
    ...config,
    streakEvents: config.streakEvents ?? defaultStreakEvents(config),
    profileFields,
    timezoneField,
  };
};
