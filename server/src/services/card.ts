import type { Core } from '@strapi/strapi';
import type { Card, EarnedBadge, Member } from '../../../common/api';
import { getService } from '../utils/get-service';
import { headOf, TIER_RANK, viewOf } from './read/catalog-view';

/**
 * The profile card's read model: a member's best badges (featured first, then tier, then the
 * most recent), their totals, points and level, as a viewer may see them.
 */
const cardService = ({ strapi }: { strapi: Core.Strapi }) => {
  const members = () => getService(strapi, 'members');

  return {
    async of(member: Member, viewerId: number | null): Promise<Card> {
      const settings = await getService(strapi, 'settings').get();
      const base = {
        enabled: settings.enabled && settings.card.enabled,
        position: settings.card.position,
        badgesToShow: settings.card.badgesToShow,
        user: member,
      };
      if (!settings.enabled) {
        const standing = await getService(strapi, 'points').noStanding();
        return { ...base, badges: [], totalEarned: 0, totalAvailable: 0, ...standing };
      }
      const catalog = await getService(strapi, 'catalog').get();
      const view = viewOf(catalog);
      const [held, preference, standing] = await Promise.all([
        members().heldBy(member.id),
        members().preferenceFor(member),
        getService(strapi, 'points').shownStanding(member.id),
      ]);
      const revealed = await members().revealedSecrets(catalog, viewerId, { id: member.id, held });
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
        ...standing,
      };
    },
  };
};

export default cardService;
