import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { getService } from '../utils/get-service';
import { parse } from './request';

const rotateBody = z
  .object({ confirm: z.literal(true, { error: 'must be true: rotating keys is deliberate' }) })
  .strict();
const settingsBody = z.object({ credentials: z.unknown() }).strict();
const memberParams = z
  .object({
    id: z.coerce
      .number({ error: 'must be a member id' })
      .int({ error: 'must be a member id' })
      .positive({ error: 'must be a member id' }),
  })
  .strict();

/** Settings → Gamification → Credentials, key rotation, and a member's credential statuses. */
const adminCredentialsController = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'credentials');
  return {
    async status(ctx: any) {
      ctx.body = { data: await service().adminStatus() };
    },

    /** Saves the credential settings; switching them on needs the secret (400 naming it). */
    async update(ctx: any) {
      const { credentials } = parse(settingsBody, ctx.request.body);
      if ((credentials as { enabled?: unknown } | null)?.enabled === true) {
        service().assertCanEnable();
      }
      const settings = await getService(strapi, 'settings').update({ credentials });
      if (settings.credentials.enabled) await service().bootstrap();
      ctx.body = { data: settings };
    },

    async rotate(ctx: any) {
      parse(rotateBody, ctx.request.body);
      ctx.body = { data: await service().rotateKeys() };
    },

    async member(ctx: any) {
      const { id } = parse(memberParams, { id: ctx.params?.id }, 'parameter');
      ctx.body = { data: await service().forAdmin(id) };
    },
  };
};

export default adminCredentialsController;
