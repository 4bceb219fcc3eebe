import { Crown } from '@strapi/icons';
import { PLUGIN_ID } from '../../common/constants';
import { PERMISSIONS } from './utils/permissions';
import { getTranslation, prefixPluginTranslations } from './utils/translations';

type Lazy = () => Promise<{ default: React.ComponentType }>;

/** Strapi's admin app object; only the members this plugin calls. */
interface StrapiAdminApp {
  createSettingSection: (
    section: { id: string; intlLabel: { id: string; defaultMessage: string } },
    links: Array<{
      id: string;
      to: string;
      intlLabel: { id: string; defaultMessage: string };
      Component: Lazy;
      permissions: Array<{ action: string; subject: null }>;
    }>
  ) => void;
  addMenuLink: (link: {
    to: string;
    icon: React.ElementType;
    intlLabel: { id: string; defaultMessage: string };
    Component: Lazy;
    permissions: Array<{ action: string; subject: null }>;
    position?: number;
  }) => void;
  registerPlugin: (plugin: { id: string; name: string }) => void;
}

export const SETTINGS_READ = PERMISSIONS.settingsRead;

export default {
  register(app: StrapiAdminApp) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Crown,
      intlLabel: { id: getTranslation('menu.achievements'), defaultMessage: 'Achievements' },
      Component: () => import('./pages/Achievements/App'),
      permissions: PERMISSIONS.menu,
      position: 6,
    });
    app.createSettingSection(
      {
        id: `${PLUGIN_ID}-customization`,
        intlLabel: { id: getTranslation('settings.section'), defaultMessage: 'Customization' },
      },
      [
        {
          id: 'gamification',
          to: `${PLUGIN_ID}/gamification`,
          intlLabel: {
            id: getTranslation('settings.gamification.link'),
            defaultMessage: 'Gamification',
          },
          Component: () => import('./pages/Settings/Gamification'),
          permissions: SETTINGS_READ,
        },
        {
          id: 'profile-layout',
          to: `${PLUGIN_ID}/profile-layout`,
          intlLabel: {
            id: getTranslation('settings.layout.link'),
            defaultMessage: 'Profile Layout',
          },
          Component: () => import('./pages/Settings/ProfileLayout'),
          permissions: SETTINGS_READ,
        },
      ]
    );
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = await import(`./translations/${locale}.json`);
          return { data: prefixPluginTranslations(data), locale };
        } catch {
          return { data: {}, locale };
        }
      })
    );
  },
};
