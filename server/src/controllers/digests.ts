import type { Core } from '@strapi/strapi';
import { unsubscribeQuerySchema } from '../../../common/api';
import type { UnsubscribePage } from '../services/digests';
import { getService } from '../utils/get-service';
import { parse } from './request';

/**
 * The one-click unsubscribe link of a digest (RFC 8058). GET shows a confirmation page and
 * changes nothing (mail scanners follow links); POST, from a mail client's one-click button or
 * the page's form, unsubscribes. Answers are small HTML pages in the email's language.
 */
const digestsController = ({ strapi }: { strapi: Core.Strapi }) => {
  const answer = (ctx: any, page: UnsubscribePage) => {
    ctx.status = page.status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = page.html;
  };
  return {
    async page(ctx: any) {
      const { token } = parse(unsubscribeQuerySchema, ctx.query, 'parameter');
      answer(ctx, await getService(strapi, 'digests').confirmationPage(token));
    },

    async unsubscribe(ctx: any) {
      const { token } = parse(unsubscribeQuerySchema, ctx.query, 'parameter');
      answer(ctx, await getService(strapi, 'digests').unsubscribe(token));
    },
  };
};

export default digestsController;
