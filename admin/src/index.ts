import { ACTIONS, PLUGIN_ID } from '../../common/constants';
import { getTranslation, prefixPluginTranslations } from './utils/translations';

/** Strapi's admin app object; only the members this plugin calls. */
interface StrapiAdminApp {
  createSettingSection: (
    section: { id: string; intlLabel: { id: string; defaultMessage: string } },
    links: Array<{
      id: string;
      to: string;
      intlLabel: { id: string; defaultMessage: string };
      Component: () => Promise<{ default: React.ComponentType }>;
      permissions: Array<{ action: string; subject: null }>;
    }>
  ) => void;
  registerPlugin: (plugin: { id: string; name: string }) => void;
}

export const SETTINGS_READ = [{ action: ACTIONS.settingsRead, subject: null }];

export default {
  register(app: StrapiAdminApp) {
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
