import type { Core } from '@strapi/strapi';
import { DEFAULT_PAGE_SIZE, type BadgeList, type BadgesQuery } from '../../../common/api';
import { getService } from '../utils/get-service';
import { badgeDto, categoryOrder, criteriaTextFor, viewOf } from './read/catalog-view';

/**
 * The badge list's read model (the public catalog): visible badges in category order, paged,
 * with earned count and rarity; secret ones only for a viewer who holds them.
 */
const badgeListService = ({ strapi }: { strapi: Core.Strapi }) => {
  const members = () => getService(strapi, 'members');

  return {
    async list(query: BadgesQuery, viewerId: number | null): Promise<BadgeList> {
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
      const [s, revealed] = await Promise.all([
        getService(strapi, 'statistics').of(),
        members().revealedSecrets(catalog, viewerId),
      ]);
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
          .map((badge) => badgeDto(view, badge, s(badge.id), criteriaText)),
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
  };
};

export default badgeListService;
