import { factories } from '@strapi/strapi';
import type { Context } from 'koa';
import { errors } from '@strapi/utils';
import { actingMemberId, documentIdParam } from '../../../academy/http';
import { academyService } from '../../../academy/services';

export default factories.createCoreController('api::lesson.lesson', ({ strapi }) => ({
  /**
   * `POST /api/lessons/:documentId/complete`: the caller completed a published lesson.
   * 201 when recorded now, 200 when it already was (the call is idempotent).
   */
  async complete(ctx: Context) {
    const userId = actingMemberId(ctx);
    const lessonDocumentId = documentIdParam(ctx);
    const result = await academyService(strapi, 'api::lesson.progress').completeLesson(
      userId,
      lessonDocumentId
    );
    if (!result) throw new errors.NotFoundError(`No published lesson ${lessonDocumentId}`);
    const { created, ...body } = result;
    ctx.status = created ? 201 : 200;
    ctx.body = body;
  },
}));
