import type { EmailLanguage } from '../../../common/settings';
import type { Core } from '@strapi/strapi';
import type {
  BadgeState,
  CategoryAchievements,
  Member,
  MemberAchievements,
  Streak,
} from '../../../common/api';
import type { MemberFacts } from '../../../engine/evaluate';
import { progressStore } from '../stores/progress';
import { getService } from '../utils/get-service';
import { badgeDto, criteriaTextFor, progressOf, viewOf } from './read/catalog-view';

/**
 * The member page's read model (the achievements modal): every visible badge by category with
 * the member's state (earned, when, how many times, or progress), secret badges as a count
 * unless revealed, the streak, points and totals, and the member's own preferences.
 */
const memberPageService = ({ strapi }: { strapi: Core.Strapi }) => {
  const members = () => getService(strapi, 'members');

  return {
    async of(member: Member, viewerId: number | null): Promise<MemberAchievements> {
      const settings = await getService(strapi, 'settings').get();
      const self = member.id === viewerId;
      const preferences = async () => {
        if (!self) return {};
        const pref = await members().preferenceFor(member);
        const catalog = await getService(strapi, 'catalog').get();
        const slugs = new Map(catalog.badges.map((b) => [b.id, b.slug]));
        const featured = pref.featured.flatMap((id) => (slugs.has(id) ? [slugs.get(id)!] : []));
        return {
          preferences: {
            featured,
            public: pref.public,
            leaderboards: pref.leaderboards,
            email: pref.email,
            language: pref.language as EmailLanguage | null,
          },
        };
      };
      // Another viewer sees the counts alone: the day and timezone tell when and where.
      const visibleStreak = (streak: Streak): Streak =>
        self ? streak : { current: streak.current, longest: streak.longest };
      if (!settings.enabled) {
        const timezone = self ? await members().timezoneFor(member) : undefined;
        return {
          enabled: false,
          user: member,
          categories: [],
          streak: visibleStreak({ current: 0, longest: 0, lastActiveDate: null, timezone }),
          ...(await getService(strapi, 'points').noStanding()),
          totalEarned: 0,
          totalAvailable: 0,
          ...(await preferences()),
        };
      }

      const catalog = await getService(strapi, 'catalog').get();
      const view = viewOf(catalog);
      const [held, stored, streak, s, standing] = await Promise.all([
        members().heldBy(member.id),
        progressStore(strapi)
          .of([member.id])
          .then((rows) => rows.get(member.id)!),
        members().streakOf(member),
        getService(strapi, 'statistics').of(),
        getService(strapi, 'points').shownStanding(member.id),
      ]);
      const revealed = await members().revealedSecrets(catalog, viewerId, { id: member.id, held });
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
            const dto = badgeDto(view, badge, s(badge.id), criteriaText) as BadgeState;
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
        streak: visibleStreak(streak),
        ...standing,
        totalEarned: badges.filter((b) => held.has(b.id)).length,
        totalAvailable: badges.length,
        ...(await preferences()),
      };
    },
  };
};

export default memberPageService;
