import type { Core } from '@strapi/strapi';
import { ensureUniqueKeyIndexes } from './academy/unique-indexes';
import { ensureRolePermissions } from './academy/permissions';
import { assertProductionSecrets } from './academy/secrets';

export default {
  /** In production, a missing or publicly known secret stops Strapi here, naming it. */
  register({ strapi }: { strapi: Core.Strapi }) {
    assertProductionSecrets(strapi);
  },

  /**
   * Runs on every start, after Strapi synced the schema: the unique indexes that make the
   * natural keys hold, and the role grants of the read routes and the member API.
   * The demo data is not seeded here: `node scripts/seed.js` does it on demand.
   */
  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    await ensureUniqueKeyIndexes(strapi);
    await ensureRolePermissions(strapi);
  },
};
