import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  DEFAULT_PAGE_SIZE,
  type Badge,
  type BadgeList,
  type BadgeState,
  type BadgesQuery,
  type Card,
  type CategoryAchievements,
  type EarnedBadge,
  type Image,
  type Member,
  type MemberAchievements,
  type Progress,
  type Streak,
} from '../../../common/api';
import { BADGE_TIERS, UID } from '../../../common/constants';
import { criteriaKinds } from '../../../engine/criteria';
import { evaluateCriteria, type BadgeDef, type MemberFacts } from '../../../engine/evaluate';
import { describeCriteria } from '../../../engine/sentence';
import { isValidTimeZone, streakAsOf } from '../../../engine/streak';
import { rarity } from '../../../common/rarity';
import { Tally } from '../../../engine/tally';
import { fromJson, row, tableOf } from '../utils/db';
import { getService } from '../utils/get-service';
import { WEBHOOK_EVENTS } from './awards';
import type { BadgeRow, Catalog, CategoryRow } from './catalog';
import { timezoneColumn } from '../utils/user-model';

/** Rarity is a statistic: a minute old is fine, and it spares a scan of every achievement. */
const STATS_TTL_MS = 60_000;
/**
 * After an award in this process the statistics are refreshed on the next read, but never
 * more often than this many times their own cost: a burst of awards on a big table must not
 * keep the database busy with the aggregate.
 */
const STATS_THROTTLE_FACTOR = 10;
/** Shown instead of a secret badge's name in another badge's criteria sentence. */
const SECRET_NAME = 'secret badge';

const TIER_RANK = new Map<string, number>(BADGE_TIERS.map((tier, i) => [tier, i]));

export type UserRef = { id: number } | { documentId: string };

/** `:userId` after validation: digits are an id, anything else a documentId. */
export const parseUserRef = (value: string): UserRef =>
  /^[0-9]+$/.test(value) ? { id: Number(value) } : { documentId: value };

interface Held {
  badgeId: number;
  times: number;
  /** The most recent (non-revoked) award. */
  lastAt: Date;
}

interface Stats {
  /** badge id → members holding it (non-revoked) */
  holders: Map<number, number>;
  members: number;
}

interface PreferenceState {
  featured: number[];
  public: boolean;
}

/** What the one read of a member (user row + preference) brought along with the DTO. */
interface Loaded {
  preference: PreferenceState;
  /** The member's valid IANA timezone, or undefined: the configured default applies. */
  timezone: string | undefined;
  /** False when the user model has no timezone field: ask the streaks service instead. */
  timezoneRead: boolean;
}

/** The part of a badge's DTO that depends on the catalog only (not on the member or viewer). */
interface BadgeHead {
  slug: string;
  name: string;
  description: string | null;
  image: Image | null;
  category: string | null;
  tier: Badge['tier'];
  points: number;
  secret: boolean;
  repeatable: boolean;
}

/**
 * Everything the read routes derive from one catalog snapshot alone. Built once per snapshot
 * (the catalog service replaces its object on every change it sees and at least every few
 * seconds, see catalog.ts), so it is exactly as fresh as the catalog and needs no invalidation
 * of its own.
 */
interface CatalogView {
  visible: BadgeRow[];
  groups: Array<{
    category: Pick<CategoryRow, 'slug' | 'name' | 'description'>;
    badges: BadgeRow[];
  }>;
  heads: Map<number, BadgeHead>;
  defs: Map<number, BadgeDef>;
  /** Criteria whose progress is computed live (see LIVE_KINDS), by badge id. */
  live: Set<number>;
  /** Criteria sentences as seen by a viewer who holds no secret badge. */
  publicText: Map<number, string>;
  secretIds: number[];
  /**
   * An empty tally, shared: the read path evaluates counted criteria of badges without stored
   * progress against no events (0 so far). Nothing is ever recorded into it; sharing it only
   * keeps the compiled views of the criteria between requests.
   */
  emptyTally: Tally;
}

const imageOf = (badge: BadgeRow): Image | null =>
  badge.image
    ? {
        url: badge.image.url,
        alternativeText: badge.image.alternativeText ?? null,
        width: badge.image.width ?? null,
        height: badge.image.height ?? null,
      }
    : null;

const percentOf = (current: number, target: number) =>
  // Rounded down, so a badge never reads 100% before it is earned.
  target > 0 ? Math.floor((Math.min(current, target) / target) * 100) : 0;

/** Criteria whose progress the read path can compute from what it loads anyway. */
const LIVE_KINDS = new Set(['streak', 'badges', 'points', 'manual', 'all', 'any']);

/**
 * The member-facing read models: the profile card, the achievements modal and the catalog,
 * plus the two preferences members set (featured badges, privacy).
 *
 * Reads go through raw knex on the plugin's own tables (plain integer columns, no drafts, no
 * documentIds involved), each one by an indexed column: achievements and progress by userId,
 * the streak and the preference by their unique userId. The one aggregate over every
 * achievement (holders per badge, for rarity) is cached; see `stats()`.
 *
 * Secret badges follow one rule everywhere: their name, description, image and criteria reach
 * only a caller who holds the badge themselves. Everyone else sees a count.
 */
const membersService = ({ strapi }: { strapi: Core.Strapi }) => {
  const knex = () => strapi.db.connection;

  // --- statistics ------------------------------------------------------------------------------
  const cache = {
    value: null as Stats | null,
    computedAt: 0,
    cost: 0,
    dirty: false,
    pending: null as Promise<Stats> | null,
    subscribed: false,
  };

  /**
   * Holders per badge, one badge per statement, each answered from the index
   * ach_achievements_badge_holders_idx (badgeId, revokedAt, userId) alone. One aggregate over
   * every achievement would do the same work in one statement, but SQLite runs a statement
   * synchronously: at a million achievements that stalls every request of the process for
   * the whole scan, once a minute. Per badge, requests interleave between the statements.
   */
  const computeStats = async (): Promise<Stats> => {
    const started = Date.now();
    const a = tableOf(strapi, UID.achievement);
    const u = tableOf(strapi, UID.user);
    const catalog = await getService(strapi, 'catalog').get();
    const holders = new Map<number, number>();
    for (const badge of catalog.badges) {
      const [r] = await knex()(a.name)
        .countDistinct({ holders: a.col('userId') })
        .where(a.col('badgeId'), badge.id)
        .whereNull(a.col('revokedAt'));
      holders.set(badge.id, Number(r?.holders ?? 0));
    }
    const [{ members }] = await knex()(u.name)
      .where((q) => q.where(u.col('blocked'), false).orWhereNull(u.col('blocked')))
      .count({ members: '*' });
    cache.cost = Date.now() - started;
    return { holders, members: Number(members) };
  };

  /** Holders per badge and the member count, cached per process (see STATS_TTL_MS). */
  const stats = async (): Promise<Stats> => {
    if (!cache.subscribed) {
      cache.subscribed = true;
      const markDirty = async () => {
        cache.dirty = true;
      };
      strapi.eventHub.on(WEBHOOK_EVENTS.earned, markDirty);
      strapi.eventHub.on(WEBHOOK_EVENTS.revoked, markDirty);
    }
    const age = Date.now() - cache.computedAt;
    const stale =
      cache.value === null ||
      age >= STATS_TTL_MS ||
      (cache.dirty && age >= cache.cost * STATS_THROTTLE_FACTOR);
    if (!stale) return cache.value!;
    if (!cache.pending) {
      // Cleared before the query runs: an award during it marks the result stale again.
      cache.dirty = false;
      cache.pending = computeStats()
        .then((value) => {
          cache.value = value;
          cache.computedAt = Date.now();
          return value;
        })
        .finally(() => {
          cache.pending = null;
        });
    }
    if (cache.value === null) return cache.pending;
    // Stale-while-revalidate: only the very first read waits for the aggregate; later reads
    // answer with the previous figures while the new ones are computed.
    cache.pending.catch((error: Error) =>
      strapi.log.warn(`achievements: could not refresh badge statistics: ${error.message}`)
    );
    return cache.value;
  };

  const rarityOf = (s: Stats, badgeId: number) => {
    const earnedCount = s.holders.get(badgeId) ?? 0;
    return { earnedCount, rarity: rarity(earnedCount, s.members) };
  };

  // --- members ---------------------------------------------------------------------------------
  /**
   * What findMember read along with each member it returned. Member objects are made per call,
   * so this is per request: nothing outlives the request that read it.
   */
  const loadedWith = new WeakMap<Member, Loaded>();

  const preferenceFrom = (featuredValue: unknown, publicValue: unknown): PreferenceState => {
    const featured = fromJson<unknown>(featuredValue);
    return {
      featured: Array.isArray(featured) ? featured.filter((id) => Number.isInteger(id)) : [],
      // SQLite and MariaDB store booleans as 0/1; no row means the defaults.
      public: publicValue === null || publicValue === undefined ? true : Boolean(publicValue),
    };
  };

  /**
   * The member `ref` names, or null for none or a blocked one. One statement reads the user row
   * with the member's preference and timezone (both needed by every read route), instead of one
   * statement each.
   */
  const findMember = async (ref: UserRef): Promise<Member | null> => {
    const u = tableOf(strapi, UID.user);
    const p = tableOf(strapi, UID.preference);
    const tz = timezoneColumn(strapi);
    const select: Record<string, string> = {
      id: `u.${u.col('id')}`,
      documentId: `u.${u.col('documentId')}`,
      username: `u.${u.col('username')}`,
      blocked: `u.${u.col('blocked')}`,
      featured: `p.${p.col('featured')}`,
      isPublic: `p.${p.col('public')}`,
    };
    if (tz !== null) select.timezone = `u.${tz}`;
    const r = await knex()({ u: u.name })
      .leftJoin({ p: p.name }, `p.${p.col('userId')}`, `u.${u.col('id')}`)
      .first(select)
      .where(
        'id' in ref ? `u.${u.col('id')}` : `u.${u.col('documentId')}`,
        'id' in ref ? ref.id : ref.documentId
      );
    if (!r || r.blocked) return null;
    // An explicit DTO: whatever fields the user model grows, only these three leave.
    const member: Member = { id: Number(r.id), documentId: r.documentId, username: r.username };
    loadedWith.set(member, {
      preference: preferenceFrom(r.featured, r.isPublic),
      timezone:
        typeof r.timezone === 'string' && isValidTimeZone(r.timezone) ? r.timezone : undefined,
      timezoneRead: tz !== null,
    });
    return member;
  };

  const preferenceOf = async (userId: number): Promise<PreferenceState> => {
    const t = tableOf(strapi, UID.preference);
    const r = await knex()(t.name)
      .select(t.col('featured'), t.col('public'))
      .where(t.col('userId'), userId)
      .first();
    return preferenceFrom(r?.[t.col('featured')], r?.[t.col('public')]);
  };

  /** The preference read with the member in this request, or a fresh read. */
  const preferenceFor = (member: Member): Promise<PreferenceState> | PreferenceState =>
    loadedWith.get(member)?.preference ?? preferenceOf(member.id);

  /** As streaks.timezoneOf, from the row read with the member when there is one. */
  const timezoneFor = async (member: Member): Promise<string> => {
    const loaded = loadedWith.get(member);
    if (!loaded?.timezoneRead) return getService(strapi, 'streaks').timezoneOf(member.id);
    if (loaded.timezone !== undefined) return loaded.timezone;
    return (await getService(strapi, 'settings').streakOptions()).defaultTimezone;
  };

  const savePreference = async (userId: number, values: Partial<PreferenceState>) => {
    const t = tableOf(strapi, UID.preference);
    const now = new Date();
    const columns: Record<string, unknown> = {};
    if (values.featured !== undefined) columns.featured = JSON.stringify(values.featured);
    if (values.public !== undefined) columns.public = values.public;
    const insert = row(t, { userId, featured: JSON.stringify([]), public: true, ...columns }, now);
    // One statement against the unique (userId) index: concurrent first saves cannot duplicate.
    await knex()(t.name)
      .insert(insert)
      .onConflict([t.col('userId')])
      .merge([...Object.keys(columns).map(t.col), t.col('updatedAt')]);
  };

  /** Non-revoked achievements per badge. */
  const heldBy = async (userId: number): Promise<Map<number, Held>> => {
    const held = new Map<number, Held>();
    for (const a of await getService(strapi, 'awards').listEarned(userId)) {
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
    member?: { id: number; held: Map<number, Held> }
  ): Promise<Set<number>> => {
    const { secretIds } = viewOf(catalog);
    if (viewerId === null || secretIds.length === 0) return new Set();
    if (member && member.id === viewerId) {
      return new Set(secretIds.filter((id) => member.held.has(id)));
    }
    const t = tableOf(strapi, UID.achievement);
    const rows = await knex()(t.name)
      .distinct(t.col('badgeId'))
      .where(t.col('userId'), viewerId)
      .whereIn(t.col('badgeId'), secretIds)
      .whereNull(t.col('revokedAt'));
    return new Set(rows.map((r: Record<string, unknown>) => Number(r[t.col('badgeId')])));
  };

  // --- DTOs ------------------------------------------------------------------------------------
  const visibleBadges = (catalog: Catalog) =>
    // A disabled badge is as if absent (the engine neither awards it nor counts its points).
    catalog.badges.filter((b) => b.enabled !== false);

  const pointsOf = (catalog: Catalog, held: Map<number, Held>) => {
    let points = 0;
    for (const badge of visibleBadges(catalog)) {
      const h = held.get(badge.id);
      if (h) points += (badge.points ?? 0) * h.times;
    }
    return points;
  };

  const describer = (catalog: Catalog, revealed: Set<number>) => {
    const categoryNames = Object.fromEntries(catalog.categories.map((c) => [c.slug, c.name]));
    const badgeNames = Object.fromEntries(
      catalog.badges.map((b) => [b.slug, b.secret && !revealed.has(b.id) ? SECRET_NAME : b.name])
    );
    const defs = new Map(catalog.defs.map((d) => [d.id, d]));
    return (badge: BadgeRow) => {
      const def = defs.get(badge.id);
      return def ? describeCriteria(def.criteria, { categoryNames, badgeNames }) : '';
    };
  };

  const headOf = (badge: BadgeRow): BadgeHead => ({
    slug: badge.slug,
    name: badge.name,
    description: badge.description ?? null,
    image: imageOf(badge),
    category: badge.category?.slug ?? null,
    tier: badge.tier as Badge['tier'],
    points: badge.points ?? 0,
    secret: !!badge.secret,
    repeatable: !!badge.repeatable,
  });

  const views = new WeakMap<Catalog, CatalogView>();

  /** The catalog's derived read model (see CatalogView), built on first use of a snapshot. */
  const viewOf = (catalog: Catalog): CatalogView => {
    const cached = views.get(catalog);
    if (cached) return cached;
    const visible = visibleBadges(catalog);
    const groups: CatalogView['groups'] = catalog.categories.map((category) => ({
      category,
      badges: visible.filter((b) => b.category?.id === category.id),
    }));
    const loose = visible.filter(
      (b) => !b.category || !catalog.categories.some((c) => c.id === b.category!.id)
    );
    if (loose.length > 0) {
      groups.push({
        category: { slug: 'uncategorized', name: 'Other', description: null },
        badges: loose,
      });
    }
    const text = describer(catalog, new Set());
    const view: CatalogView = {
      visible,
      groups,
      heads: new Map(catalog.badges.map((b) => [b.id, headOf(b)])),
      defs: new Map(catalog.defs.map((d) => [d.id, d])),
      live: new Set(
        catalog.defs
          .filter((d) => [...criteriaKinds(d.criteria)].every((kind) => LIVE_KINDS.has(kind)))
          .map((d) => d.id)
      ),
      publicText: new Map(catalog.badges.map((b) => [b.id, text(b)])),
      secretIds: catalog.badges.filter((b) => b.secret).map((b) => b.id),
      emptyTally: new Tally(),
    };
    views.set(catalog, view);
    return view;
  };

  /** Criteria sentences as `revealed` lets the viewer see them. */
  const criteriaTextFor = (catalog: Catalog, revealed: Set<number>) => {
    if (revealed.size > 0) return describer(catalog, revealed);
    const { publicText } = viewOf(catalog);
    return (badge: BadgeRow) => publicText.get(badge.id) ?? '';
  };

  const badgeDto = (
    view: CatalogView,
    badge: BadgeRow,
    s: Stats,
    criteriaText: (b: BadgeRow) => string
  ): Badge => {
    const head = view.heads.get(badge.id) ?? headOf(badge);
    const { earnedCount, rarity } = rarityOf(s, badge.id);
    // Written out (not spread) in the order of the contract: one object shape for all badges.
    // Do not replace the shared fields here and in the card's earned badges by a spread of a
    // helper's result: P3 measured the member page at 2x the CPU (6.3 vs 3.3 ms per request at
    // 10k achievements, 200 badges) and 1.6x the peak RSS that way.
    return {
      slug: head.slug,
      name: head.name,
      description: head.description,
      image: head.image,
      category: head.category,
      tier: head.tier,
      points: head.points,
      secret: head.secret,
      repeatable: head.repeatable,
      criteriaText: criteriaText(badge),
      earnedCount,
      rarity,
    };
  };

  const streakOf = async (member: Member): Promise<Streak> => {
    const [state, timezone] = await Promise.all([
      getService(strapi, 'streaks').get(member.id),
      timezoneFor(member),
    ]);
    if (!state) return { current: 0, longest: 0, lastActiveDate: null, timezone };
    // The stored value is as of the last activity; a run broken since then reads 0 now.
    // Freezes as in force now: an admin may have overridden the plugin config in Settings.
    const { freezesPerMonth } = await getService(strapi, 'settings').streakOptions();
    const live = streakAsOf(state, Date.now(), timezone, { freezesPerMonth });
    return { ...live, timezone };
  };

  const progressRows = async (userId: number) => {
    const t = tableOf(strapi, UID.progress);
    const rows = await knex()(t.name)
      .select(t.col('badgeId'), t.col('current'), t.col('target'))
      .where(t.col('userId'), userId);
    return new Map<number, { current: number; target: number }>(
      rows.map((r: Record<string, unknown>) => [
        Number(r[t.col('badgeId')]),
        { current: Number(r[t.col('current')] ?? 0), target: Number(r[t.col('target')] ?? 1) },
      ])
    );
  };

  /**
   * Progress toward a badge not held. Streak, meta (badges, points) and manual criteria are
   * computed from the live streak and the held badges; counted events and profile fields need
   * the member's ledger, so they come from the progress the engine stored on its last pass.
   */
  const progressOf = (
    view: CatalogView,
    def: BadgeDef | undefined,
    stored: { current: number; target: number } | undefined,
    facts: MemberFacts,
    catalog: Catalog
  ): Progress => {
    let p: { current: number; target: number } = stored ?? { current: 0, target: 1 };
    if (def && (!stored || view.live.has(def.id))) {
      p = evaluateCriteria(def.criteria, facts, catalog.index, def);
    }
    const target = Math.max(1, Math.floor(p.target));
    const current = Math.max(0, Math.min(Math.floor(p.current), target));
    return { current, target, percent: percentOf(current, target) };
  };

  const categoryOrder = (catalog: Catalog) => {
    const order = new Map<number, number>();
    catalog.categories.forEach((c, i) => order.set(c.id, i));
    return (badge: BadgeRow) =>
      badge.category ? (order.get(badge.category.id) ?? catalog.categories.length) : Infinity;
  };

  return {
    parseUserRef,
    findMember,
    preferenceOf,

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

    async card(member: Member, viewerId: number | null): Promise<Card> {
      const settings = await getService(strapi, 'settings').get();
      const base = {
        enabled: settings.enabled && settings.card.enabled,
        position: settings.card.position,
        badgesToShow: settings.card.badgesToShow,
        user: member,
      };
      if (!settings.enabled) {
        return { ...base, badges: [], totalEarned: 0, totalAvailable: 0, points: 0 };
      }
      const catalog = await getService(strapi, 'catalog').get();
      const view = viewOf(catalog);
      const [held, preference] = await Promise.all([heldBy(member.id), preferenceFor(member)]);
      const revealed = await revealedSecrets(catalog, viewerId, { id: member.id, held });
      const badges = view.visible;
      const featuredRank = new Map(preference.featured.map((id, i) => [id, i]));

      const earned = badges.filter((b) => held.has(b.id));
      const shown = earned
        .filter((b) => !b.secret || revealed.has(b.id))
        .map((badge) => ({ badge, held: held.get(badge.id)! }))
        .sort((x, y) => {
          const fx = featuredRank.get(x.badge.id) ?? Infinity;
          const fy = featuredRank.get(y.badge.id) ?? Infinity;
          if (fx !== fy) return fx - fy;
          const tier = (TIER_RANK.get(y.badge.tier) ?? 0) - (TIER_RANK.get(x.badge.tier) ?? 0);
          if (tier !== 0) return tier;
          const recent = y.held.lastAt.getTime() - x.held.lastAt.getTime();
          return recent !== 0 ? recent : x.badge.id - y.badge.id;
        })
        .slice(0, settings.card.badgesToShow);

      return {
        ...base,
        badges: shown.map(({ badge, held: h }): EarnedBadge => {
          const head = view.heads.get(badge.id) ?? headOf(badge);
          return {
            slug: head.slug,
            name: head.name,
            description: head.description,
            image: head.image,
            category: head.category,
            tier: head.tier,
            points: head.points,
            earnedAt: h.lastAt.toISOString(),
            timesEarned: h.times,
            featured: featuredRank.has(badge.id),
          };
        }),
        totalEarned: earned.length,
        totalAvailable: badges.length,
        points: pointsOf(catalog, held),
      };
    },

    async achievements(member: Member, viewerId: number | null): Promise<MemberAchievements> {
      const settings = await getService(strapi, 'settings').get();
      const self = member.id === viewerId;
      const preferences = async () => {
        if (!self) return {};
        const pref = await preferenceFor(member);
        const catalog = await getService(strapi, 'catalog').get();
        const slugs = new Map(catalog.badges.map((b) => [b.id, b.slug]));
        const featured = pref.featured.flatMap((id) => (slugs.has(id) ? [slugs.get(id)!] : []));
        return { preferences: { featured, public: pref.public } };
      };
      if (!settings.enabled) {
        const timezone = await timezoneFor(member);
        return {
          enabled: false,
          user: member,
          categories: [],
          streak: { current: 0, longest: 0, lastActiveDate: null, timezone },
          points: 0,
          totalEarned: 0,
          totalAvailable: 0,
          ...(await preferences()),
        };
      }

      const catalog = await getService(strapi, 'catalog').get();
      const view = viewOf(catalog);
      const [held, stored, streak, s] = await Promise.all([
        heldBy(member.id),
        progressRows(member.id),
        streakOf(member),
        stats(),
      ]);
      const revealed = await revealedSecrets(catalog, viewerId, { id: member.id, held });
      const criteriaText = criteriaTextFor(catalog, revealed);
      const facts: MemberFacts = {
        tally: view.emptyTally,
        streak: { current: streak.current, longest: streak.longest },
        earned: [...held.values()].flatMap((h) =>
          Array.from({ length: h.times }, (_, i) => ({ badgeId: h.badgeId, sequence: i + 1 }))
        ),
        now: Date.now(),
      };

      const badges = view.visible;
      const categories = view.groups.map(
        ({ category, badges: inCategory }): CategoryAchievements => {
          const secret = { count: 0, earned: 0 };
          const states: BadgeState[] = [];
          for (const badge of inCategory) {
            const h = held.get(badge.id);
            if (badge.secret && !revealed.has(badge.id)) {
              secret.count += 1;
              if (h) secret.earned += 1;
              continue;
            }
            const dto = badgeDto(view, badge, s, criteriaText) as BadgeState;
            dto.earned = !!h;
            dto.earnedAt = h ? h.lastAt.toISOString() : null;
            dto.timesEarned = h?.times ?? 0;
            dto.progress = h
              ? null
              : progressOf(view, view.defs.get(badge.id), stored.get(badge.id), facts, catalog);
            states.push(dto);
          }
          return {
            slug: category.slug,
            name: category.name,
            description: category.description ?? null,
            badges: states,
            secret,
          };
        }
      );

      return {
        enabled: true,
        user: member,
        categories,
        streak,
        points: pointsOf(catalog, held),
        totalEarned: badges.filter((b) => held.has(b.id)).length,
        totalAvailable: badges.length,
        ...(await preferences()),
      };
    },

    async catalog(query: BadgesQuery, viewerId: number | null): Promise<BadgeList> {
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
      const settings = await getService(strapi, 'settings').get();
      if (!settings.enabled) {
        return {
          data: [],
          meta: { categories: [], pagination: { page, pageSize, pageCount: 0, total: 0 } },
        };
      }
      const catalog = await getService(strapi, 'catalog').get();
      const view = viewOf(catalog);
      const [s, revealed] = await Promise.all([stats(), revealedSecrets(catalog, viewerId)]);
      const criteriaText = criteriaTextFor(catalog, revealed);
      const order = categoryOrder(catalog);
      const list = view.visible
        .filter((b) => !b.secret || revealed.has(b.id))
        .filter((b) => query.category === undefined || b.category?.slug === query.category)
        // Stable: within a category the catalog's own order (sortOrder, id) is kept.
        .map((badge, i) => ({ badge, i }))
        .sort((x, y) => order(x.badge) - order(y.badge) || x.i - y.i)
        .map(({ badge }) => badge);
      const total = list.length;
      return {
        data: list
          .slice((page - 1) * pageSize, page * pageSize)
          .map((badge) => badgeDto(view, badge, s, criteriaText)),
        meta: {
          categories: catalog.categories.map((c) => ({
            slug: c.slug,
            name: c.name,
            description: c.description ?? null,
          })),
          pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total },
        },
      };
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

    async setPrivacy(userId: number, isPublic: boolean): Promise<{ public: boolean }> {
      await savePreference(userId, { public: isPublic });
      return { public: isPublic };
    },

    /**
     * Earned count and rarity per badge, as the member API shows them: the admin's badge list
     * uses this too, so both say the same. fresh: computed now (an admin who just awarded a
     * badge sees it counted), and kept for the member API's next reads.
     */
    async badgeStatistics({ fresh = false }: { fresh?: boolean } = {}) {
      let s: Stats;
      if (fresh) {
        s = await computeStats();
        Object.assign(cache, { value: s, computedAt: Date.now(), dirty: false });
      } else {
        s = await stats();
      }
      return (badgeId: number) => rarityOf(s, badgeId);
    },

    /** Forgets the cached statistics (rarity, earned counts); the next read recomputes them. */
    invalidateStats() {
      cache.value = null;
      cache.computedAt = 0;
    },
  };
};

export default membersService;
