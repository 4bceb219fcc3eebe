import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../../../common/constants';
import { parseCriteria } from '../../../engine/criteria';
import { getService } from '../utils/get-service';
import { appEvents, pluginConfig } from '../utils/plugin-config';

/**
 * Badge rules that hold on every write path — the content manager, the plugin's admin pages,
 * the document service and the query engine — because they run as database lifecycles.
 */
const badgesService = ({ strapi }: { strapi: Core.Strapi }) => {
  const validateCriteria = (criteria: unknown) => {
    const result = parseCriteria(criteria, {
      knownEvents: appEvents(strapi).known,
      profileFields: pluginConfig(strapi).profileFields,
    });
    if (!result.ok) {
      throw new errors.ValidationError(
        result.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        {
          errors: result.issues.map((i) => ({
            path: i.path.split('.'),
            message: i.message,
            name: 'ValidationError',
          })),
        }
      );
    }
    return result.criteria;
  };

  const check = (data: Record<string, any> | undefined, creating: boolean) => {
    if (!data) return;
    if (creating || 'criteria' in data) data.criteria = validateCriteria(data.criteria);
    if (data.maxRepeats !== undefined && data.maxRepeats !== null && data.repeatable === false) {
      data.maxRepeats = null;
    }
  };

  return {
    validateCriteria,
    subscribeLifecycles() {
      const invalidate = () => getService(strapi, 'catalog').invalidate();
      strapi.db.lifecycles.subscribe({
        models: [UID.badge],
        beforeCreate: (event: any) => check(event.params?.data, true),
        beforeUpdate: (event: any) => check(event.params?.data, false),
        afterCreate: invalidate,
        afterUpdate: invalidate,
        afterDelete: invalidate,
        afterDeleteMany: invalidate,
      });
      strapi.db.lifecycles.subscribe({
        models: [UID.category],
        afterCreate: invalidate,
        afterUpdate: invalidate,
        afterDelete: invalidate,
      });
    },
  };
};

export default badgesService;
