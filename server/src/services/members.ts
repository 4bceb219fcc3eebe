import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import type { Member, Streak } from '../../../common/api';
import { isValidTimeZone, streakAsOf } from '../../../engine/streak';
import { achievementStore } from '../stores/achievements';
import { hostUsers } from '../stores/host-users';
import { preferenceStore, type Preference } from '../stores/preferences';
import { streakStore } from '../stores/streaks';
import { getService } from '../utils/get-service';
import { timezoneColumn } from '../utils/user-model';
import type { Catalog } from './catalog';
import { visibleBadges, viewOf, type EarnedSummary } from './read/catalog-view';

export type UserRef = { id: number } | { documentId: string };

/** `:userId` after validation: digits are an id, anything else a documentId. */
export const parseUserRef = (value: string): UserRef =>
  /^[0-9]+$/.test(value) ? { id: Number(value) } : { documentId: value };

/** What the one read of a member (user row + preference) brought along with the DTO. */
interface Loaded {
  preference: Preference;
  /** The member's valid IANA timezone, or undefined: the configured default applies. */
  timezone: string | undefined;
  /** False when the user model has no timezone field: read it from the users table. */
  timezoneRead: boolean;
}

/**
 * Members as the read models see them: who a reference names and whether the viewer may see
 * them, what they hold, their streak as of now, which secret badges a viewer may see, and the
 * two preferences members set (featured badges, privacy). The card, member page and badge list
 * (services/card, member-page, badge-list) are built over it.
 *
 * Secret badges follow one rule everywhere: their name, description, image and criteria reach
 * only a caller who holds the badge themselves. Everyone else sees a count.
 */
const membersService = ({ strapi }: { strapi: Core.Strapi }) => {
  /**
   * What findMember read along with each member it returned. Member objects are made per call,
   * so this is per request: nothing outlives the request that read it.
   */
  const loadedWith = new WeakMap<Member, Loaded>();

  /**
   * The member `ref` names, or null for none or a blocked one. One statement reads the user row
   * with the member's preference and timezone (both needed by every read route).
   */
  const findMember = async (ref: UserRef): Promise<Member | null> => {
    const tz = timezoneColumn(strapi);
    const r = await preferenceStore(strapi).memberWith(ref, tz);
    if (!r || r.blocked) return null;
    // An explicit DTO: whatever fields the user model grows, only these three leave.
    const member: Member = { id: r.id, documentId: r.documentId, username: r.username };
    loadedWith.set(member, {
      preference: r.preference,
      timezone:
        typeof r.timezone === 'string' && isValidTimeZone(r.timezone) ? r.timezone : undefined,
      timezoneRead: tz !== null,
    });
    return member;
  };

  const preferenceOf = (userId: number): Promise<Preference> => preferenceStore(strapi).of(userId);

  /** The preference read with the member in this request, or a fresh read. */
  const preferenceFor = (member: Member): Promise<Preference> | Preference =>
    loadedWith.get(member)?.preference ?? preferenceOf(member.id);

  /** As streaks.timezoneOf, from the row read with the member when there is one. */
  const timezoneFor = async (member: Member): Promise<string> => {
    const loaded = loadedWith.get(member);
    const { defaultTimezone } = await getService(strapi, 'settings').streakOptions();
    if (!loaded?.timezoneRead)
      return (await hostUsers(strapi).timezonesOf([member.id], defaultTimezone)).get(member.id)!;
    return loaded.timezone ?? defaultTimezone;
  };

  const savePreference = (userId: number, values: Partial<Preference>) =>
    preferenceStore(strapi).save(userId, values);

  /** Non-revoked achievements per badge. */
  const heldBy = async (userId: number): Promise<Map<number, EarnedSummary>> => {
    const held = new Map<number, EarnedSummary>();
    for (const a of await achievementStore(strapi).earnedBy(userId)) {
      const h = held.get(a.badgeId);
      if (!h) held.set(a.badgeId, { badgeId: a.badgeId, times: 1, lastAt: a.earnedAt });
      else {
        h.times += 1;
        if (a.earnedAt > h.lastAt) h.lastAt = a.earnedAt;
      }
    }
    return held;
  };

  /** Secret badges `viewerId` holds, i.e. the secret badges whose details the viewer may see. */
  const revealedSecrets = async (
    catalog: Catalog,
    viewerId: number | null,
    member?: { id: number; held: Map<number, EarnedSummary> }
  ): Promise<Set<number>> => {
    const { secretIds } = viewOf(catalog);
    if (viewerId === null || secretIds.length === 0) return new Set();
    if (member && member.id === viewerId) {
      return new Set(secretIds.filter((id) => member.held.has(id)));
    }
    return achievementStore(strapi).heldAmong(viewerId, secretIds);
  };

  const streakOf = async (member: Member): Promise<Streak> => {
    const [state, timezone] = await Promise.all([
      streakStore(strapi)
        .of([member.id])
        .then((rows) => rows.get(member.id) ?? null),
      timezoneFor(member),
    ]);
    if (!state) return { current: 0, longest: 0, lastActiveDate: null, timezone };
    // The stored value is as of the last activity; a run broken since then reads 0 now.
    // Freezes as in force now: an admin may have overridden the plugin config in Settings.
    const { freezesPerMonth } = await getService(strapi, 'settings').streakOptions();
    const live = streakAsOf(state, Date.now(), timezone, { freezesPerMonth });
    return { ...live, timezone };
  };

  return {
    findMember,
    preferenceFor,
    timezoneFor,
    heldBy,
    revealedSecrets,
    streakOf,

    /**
     * The member `ref` names, as `viewerId` may see them: 404 for an unknown or blocked member,
     * and for one who made their profile private, unless the viewer is that member.
     */
    async resolveVisible(ref: string, viewerId: number | null): Promise<Member> {
      const member = await findMember(parseUserRef(ref));
      // One message for all three cases, so a private profile is indistinguishable from none.
      const notFound = () => new errors.NotFoundError(`userId: no member "${ref}"`);
      if (!member) throw notFound();
      if (member.id !== viewerId && !(await preferenceFor(member)).public) throw notFound();
      return member;
    },

    /** Featured badges: earned ones only, at most the card's badgesToShow, in the given order. */
    async setFeatured(userId: number, slugs: string[]): Promise<{ badges: string[] }> {
      const settings = await getService(strapi, 'settings').get();
      const max = settings.card.badgesToShow;
      const fail = (path: string, message: string): never => {
        throw new errors.ValidationError(`${path}: ${message}`, {
          errors: [{ path, message: `${path}: ${message}` }],
        });
      };
      if (slugs.length > max) {
        fail('badges', `at most ${max} badges can be featured (the card shows ${max})`);
      }
      const catalog = await getService(strapi, 'catalog').get();
      const held = await heldBy(userId);
      const bySlug = new Map(visibleBadges(catalog).map((b) => [b.slug, b]));
      const ids: number[] = [];
      slugs.forEach((slug, i) => {
        const badge = bySlug.get(slug);
        // The same answer for "no such badge" and "not yours": a secret badge's slug is not
        // confirmed to someone who has not earned it.
        if (!badge || !held.has(badge.id))
          fail(`badges.${i}`, `"${slug}" is not a badge you have earned`);
        if (ids.includes(badge!.id)) fail(`badges.${i}`, `"${slug}" is listed twice`);
        ids.push(badge!.id);
      });
      await savePreference(userId, { featured: ids });
      return { badges: slugs };
    },

    async setPrivacy(
      userId: number,
      choice: { public?: boolean; leaderboards?: boolean }
    ): Promise<{ public: boolean; leaderboards: boolean }> {
      await savePreference(userId, choice);
      const saved = await preferenceOf(userId);
      return { public: saved.public, leaderboards: saved.leaderboards };
    },
  };
};

export default membersService;
