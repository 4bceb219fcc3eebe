import type { Core } from '@strapi/strapi';
import { UID } from '../../../academy/uids';

type Row = Record<string, any>;

/**
 * Writing the catalogue's modules (the seed, and the tests' and benchmarks' fixtures).
 *
 * A published module is written as two rows, the way the document service stores a published
 * document: the draft through the document service, the published version with the query engine
 * (same documentId, `publishedAt` set, linked to the published version of its course). Not
 * `create({ status: 'published' })`: Strapi 5.54's publish reads the draft with all its relations
 * populated at once on the transaction's single connection (strapi/strapi#27645). A module has two
 * relations (course, lessons), so on PostgreSQL that puts three queries on one client at a time,
 * which node-postgres deprecates and pg 9 refuses. Courses and lessons have one relation each and
 * publish through the document service cleanly. No trigger listens to modules being published.
 */
const catalogueService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Creates a published module of the course `course` (a documentId); returns its draft. */
  async createPublished(data: { title: string; position: number; course: string }): Promise<Row> {
    const draft = (await strapi.documents(UID.module).create({ data })) as Row;
    const course = (await strapi.db.query(UID.course).findOne({
      where: { documentId: data.course, publishedAt: { $notNull: true } },
      select: ['id'],
    })) as Row | null;
    if (!course) throw new Error(`Course ${data.course} has no published version`);
    await strapi.db.query(UID.module).create({
      data: {
        documentId: draft.documentId,
        title: draft.title,
        position: draft.position,
        locale: draft.locale ?? null,
        course: course.id,
        createdAt: draft.createdAt,
        updatedAt: draft.updatedAt,
        publishedAt: new Date(),
      },
    });
    return draft;
  },
});

export type CatalogueService = ReturnType<typeof catalogueService>;
export default catalogueService;
