import type { Core, UID as StrapiUID } from '@strapi/strapi';
import { UID } from '../../../academy/uids';
import { enrollmentKey, lessonCompletionKey, moduleCompletionKey } from '../../../academy/keys';
import { findOrCreateByKey } from '../../../academy/find-or-create';
import { toLessonCompletion, type LessonCompletionDto } from '../../../academy/dto';

export interface LessonCompletionResult {
  completion: LessonCompletionDto;
  /** Whether this call recorded the completion (false when it already existed). */
  created: boolean;
  /** The member has completed the lesson's module (now or before). */
  moduleCompleted: boolean;
  /** The member's enrollment in the lesson's course is completed (now or before). */
  courseCompleted: boolean;
}

type Row = Record<string, any>;

/**
 * The academy's own progress rules (the achievements plugin knows none of them, it only sees
 * the writes): a lesson completion enrols the member, completes the module once every published
 * lesson of it is completed, and completes the enrollment once every published module is.
 *
 * Every write goes through the document service, so document-service middlewares (the plugin's
 * triggers) see them; every row that must exist once has a natural key under a UNIQUE index.
 * Checks run after the member's own write has committed, so of two concurrent completions the
 * later one always sees both and nothing is missed; duplicates are refused by the keys.
 */
const progressService = ({ strapi }: { strapi: Core.Strapi }) => {
  const findByKey = (uid: StrapiUID.ContentType, attribute: string, key: string) =>
    strapi.documents(uid).findFirst({ filters: { [attribute]: key } });

  /** How many of `keys` exist in a key column: a scalar, indexed lookup, no relation joins. */
  const countKeys = async (uid: StrapiUID.ContentType, attribute: string, keys: string[]) => {
    if (keys.length === 0) return 0;
    const rows = await strapi
      .documents(uid)
      .findMany({ filters: { [attribute]: { $in: keys } }, fields: [attribute] });
    return new Set(rows.map((r: Row) => r[attribute])).size;
  };

  const service = {
    /** One enrollment per member and course, enforced by `enrollmentKey`. */
    async enrol(userId: number, courseDocumentId: string) {
      const key = enrollmentKey(userId, courseDocumentId);
      return findOrCreateByKey<Row>({
        find: () => findByKey(UID.enrollment, 'enrollmentKey', key),
        create: () =>
          strapi.documents(UID.enrollment).create({
            data: {
              user: userId,
              course: courseDocumentId,
              status: 'active',
              enrollmentKey: key,
            },
          }),
      });
    },

    /**
     * Records that `userId` completed a published lesson; idempotent per member and lesson.
     * Returns null when no published lesson has this documentId. `completedAt` exists for the
     * seed's history; the member API never passes it.
     */
    async completeLesson(
      userId: number,
      lessonDocumentId: string,
      options: { completedAt?: Date } = {}
    ): Promise<LessonCompletionResult | null> {
      const lesson = (await strapi.documents(UID.lesson).findOne({
        documentId: lessonDocumentId,
        status: 'published',
        populate: { module: { populate: { course: true } } },
      })) as Row | null;
      if (!lesson) return null;

      const lessonModule = lesson.module as Row | null;
      const course = lessonModule?.course as Row | null | undefined;
      const enrollment = course ? (await service.enrol(userId, course.documentId)).entry : null;

      const key = lessonCompletionKey(userId, lessonDocumentId);
      const { entry, created } = await findOrCreateByKey<Row>({
        find: () => findByKey(UID.lessonCompletion, 'completionKey', key),
        create: () =>
          strapi.documents(UID.lessonCompletion).create({
            data: {
              user: userId,
              lesson: lessonDocumentId,
              completedAt: (options.completedAt ?? new Date()).toISOString(),
              completionKey: key,
            },
          }),
      });
      // Module and course completions are dated by the lesson completion that finished them.
      const at = new Date(entry.completedAt ?? Date.now()).toISOString();

      // Evaluated on every call, not only the first: a retry heals a crash between the writes.
      const moduleCompleted = lessonModule
        ? await service.completeModuleIfDone(userId, lessonModule.documentId, at)
        : false;
      const courseCompleted = !course
        ? false
        : moduleCompleted
          ? await service.completeCourseIfDone(userId, course.documentId, at)
          : enrollment?.status === 'completed';

      return {
        completion: toLessonCompletion(entry, lessonDocumentId),
        created,
        moduleCompleted,
        courseCompleted,
      };
    },

    /** Creates the module completion once every published lesson of the module is completed. */
    async completeModuleIfDone(userId: number, moduleDocumentId: string, at: string) {
      const key = moduleCompletionKey(userId, moduleDocumentId);
      if (await findByKey(UID.moduleCompletion, 'completionKey', key)) return true;

      const lessons = await strapi.documents(UID.lesson).findMany({
        status: 'published',
        filters: { module: { documentId: moduleDocumentId } },
        fields: ['documentId'],
      });
      if (lessons.length === 0) return false;
      const done = await countKeys(
        UID.lessonCompletion,
        'completionKey',
        lessons.map((l: Row) => lessonCompletionKey(userId, l.documentId))
      );
      if (done < lessons.length) return false;

      await findOrCreateByKey<Row>({
        find: () => findByKey(UID.moduleCompletion, 'completionKey', key),
        create: () =>
          strapi.documents(UID.moduleCompletion).create({
            data: { user: userId, module: moduleDocumentId, completedAt: at, completionKey: key },
          }),
      });
      return true;
    },

    /** Marks the enrollment completed, with `completedAt` set once, when every module is done. */
    async completeCourseIfDone(userId: number, courseDocumentId: string, at: string) {
      const { entry: enrollment } = await service.enrol(userId, courseDocumentId);
      if (enrollment.status === 'completed') return true;

      const modules = await strapi.documents(UID.module).findMany({
        status: 'published',
        filters: { course: { documentId: courseDocumentId } },
        fields: ['documentId'],
      });
      if (modules.length === 0) return false;
      const done = await countKeys(
        UID.moduleCompletion,
        'completionKey',
        modules.map((m: Row) => moduleCompletionKey(userId, m.documentId))
      );
      if (done < modules.length) return false;

      // A compare-and-set the document service cannot express: of two concurrent last-module
      // completions only one sets completedAt, and both then write that same value.
      await strapi.db.query(UID.enrollment).updateMany({
        where: { id: enrollment.id, completedAt: { $null: true } },
        data: { completedAt: at },
      });
      const current = (await strapi.db
        .query(UID.enrollment)
        .findOne({ where: { id: enrollment.id }, select: ['completedAt', 'status'] })) as Row;
      if (current.status !== 'completed') {
        await strapi.documents(UID.enrollment).update({
          documentId: enrollment.documentId,
          // The typings reserve `status` for draft & publish; this is the enrollment's own field.
          data: { status: 'completed', completedAt: current.completedAt } as Record<
            string,
            unknown
          >,
        });
      }
      return true;
    },
  };
  return service;
};

export type ProgressService = ReturnType<typeof progressService>;
export default progressService;
