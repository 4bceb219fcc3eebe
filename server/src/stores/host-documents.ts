import type { Trigger } from '../config/schema';
import { chunks, rawRows, tableOf } from './sql';
import { defineStore } from './store';

type Doc = Record<string, any>;

/** Attribute types whose raw column value is what the query engine returns (booleans aside). */
const RAW_SCALARS = new Set([
  'string',
  'text',
  'richtext',
  'uid',
  'email',
  'enumeration',
  'integer',
  'boolean',
]);
/** Attribute types a trigger's occurredAt may read raw (epoch ms or a Date either way). */
const RAW_INSTANTS = new Set(['datetime', 'timestamp']);

/**
 * The host's documents as triggers read them: one document's fields in one plain SQL
 * statement where the trigger's paths allow it (live), and the same plan for the set-based
 * replay (stores/ledger-replay.ts). Reads host tables only; writes nothing.
 */
export const hostDocuments = defineStore((strapi) => {
  /**
   * How to read a trigger's fields with plain SQL: when every path is a plain attribute of the
   * document or a one-level many-to-one / one-to-one relation (read as { id, documentId }),
   * which is what most triggers are (the user, the lesson, the completion date). That gives what
   * the query engine would for those paths, without populating whole related rows and
   * transforming every field. null when a path goes further (e.g. `post.author`), goes through
   * media or components, needs a value the raw row would give in another shape (dates, decimals,
   * JSON), would read the id of a draft & publish relation target, or the type is localized:
   * those triggers keep the query engine.
   */
  const rawPlanFor = (trigger: Trigger) => {
    const model = strapi.getModel(trigger.uid as any) as any;
    if (!model || model.pluginOptions?.i18n?.localized === true) return null;
    const meta = strapi.db.metadata.get(trigger.uid as any) as any;
    const t = tableOf(strapi, trigger.uid);
    const scalars = new Map<string, string>();
    const booleans = new Set<string>();
    const relations = new Map<string, any>();
    const use = (path: string, as: 'id' | 'value' | 'instant'): boolean => {
      if (path.includes('.')) return false;
      const attr = model.attributes[path];
      const m = meta.attributes[path];
      if (!attr || !m) return false;
      if (attr.type === 'relation') {
        if (as === 'instant' || !['manyToOne', 'oneToOne'].includes(attr.relation)) return false;
        if (!attr.target || attr.morphBy || m.morphBy) return false;
        const viaTable = m.joinTable && !m.joinTable.on;
        if (!viaTable && !m.joinColumn) return false;
        const target = strapi.getModel(attr.target) as any;
        if (!target || (as === 'id' && target.options?.draftAndPublish === true)) return false;
        relations.set(path, { ...m, targetUid: attr.target });
        return true;
      }
      const ok = as === 'instant' ? RAW_INSTANTS.has(attr.type) : RAW_SCALARS.has(attr.type);
      if (!ok) return false;
      scalars.set(path, t.col(path));
      if (attr.type === 'boolean') booleans.add(path);
      return true;
    };
    const paths: Array<[string, 'id' | 'value' | 'instant']> = [
      ...[trigger.user].flat().map((p) => [p, 'id'] as [string, 'id']),
      ...(trigger.actor ? [[trigger.actor, 'id'] as [string, 'id']] : []),
      ...(trigger.owner ? [[trigger.owner, 'id'] as [string, 'id']] : []),
      ...(trigger.subject ? [trigger.subject].flat() : []).map(
        (p) => [p, 'value'] as [string, 'value']
      ),
      ...Object.keys(trigger.when ?? {}).map((p) => [p, 'value'] as [string, 'value']),
      ...(trigger.data ?? []).map((p) => [p, 'value'] as [string, 'value']),
      ...(trigger.occurredAt ? [[trigger.occurredAt, 'instant'] as [string, 'instant']] : []),
    ];
    // A course scope is read through the document (any depth), live and in a replay alike.
    if (trigger.scope) return null;
    if (!paths.every(([path, as]) => use(path, as))) return null;
    const dp = model.options?.draftAndPublish === true;
    const stamps = ['documentId', 'createdAt', 'updatedAt', 'publishedAt'].filter(
      (a) => meta.attributes[a]
    );
    return { t, stamps, scalars, booleans, relations, dp };
  };

  /**
   * Per trigger: its raw plan (null: none) and readRaw's statement per status, compiled once
   * (knex's builder cost more than the read).
   */
  const rawReaders = new Map<
    Trigger,
    {
      plan: ReturnType<typeof rawPlanFor>;
      statements: Map<boolean, { sql: string; bindings: unknown[] }>;
    }
  >();
  const DOCUMENT_ID = Symbol('documentId');

  const rawStatementFor = (
    plan: NonNullable<ReturnType<typeof rawPlanFor>>,
    published: boolean
  ) => {
    const { t, stamps, scalars, relations, dp } = plan;
    const query = strapi.db
      .connection(`${t.name} as s`)
      .select('s.id as id', ...stamps.map((a) => `s.${t.col(a)} as ${a}`))
      .where(`s.${t.col('documentId')}`, DOCUMENT_ID as any)
      .limit(1);
    for (const [attribute, column] of scalars) query.select(`s.${column} as a_${attribute}`);
    [...relations.values()].forEach((m, i) => {
      const target = tableOf(strapi, m.targetUid);
      const r = `r${i}`;
      if (m.joinColumn) {
        const ref = m.joinColumn.referencedColumn ?? 'id';
        query.leftJoin(`${target.name} as ${r}`, `${r}.${ref}`, `s.${m.joinColumn.name}`);
      } else {
        const jt = m.joinTable;
        query
          .leftJoin(
            `${jt.name} as j${i}`,
            `j${i}.${jt.joinColumn.name}`,
            `s.${jt.joinColumn.referencedColumn ?? 'id'}`
          )
          .leftJoin(
            `${target.name} as ${r}`,
            `${r}.${jt.inverseJoinColumn.referencedColumn ?? 'id'}`,
            `j${i}.${jt.inverseJoinColumn.name}`
          );
      }
      query.select(`${r}.id as ${r}_id`, `${r}.${target.col('documentId')} as ${r}_doc`);
    });
    if (dp) {
      if (published) query.whereNotNull(`s.${t.col('publishedAt')}`);
      else query.whereNull(`s.${t.col('publishedAt')}`);
    }
    const { sql, bindings } = query.toSQL();
    return { sql, bindings: [...bindings] };
  };

  /** One document's trigger fields in one statement (see rawPlanFor); undefined: no plan. */
  const readRaw = async (
    trigger: Trigger,
    documentId: string,
    published: boolean
  ): Promise<Doc | null | undefined> => {
    let reader = rawReaders.get(trigger);
    if (!reader)
      rawReaders.set(trigger, (reader = { plan: rawPlanFor(trigger), statements: new Map() }));
    const { plan, statements } = reader;
    if (!plan) return undefined;
    let statement = statements.get(published);
    if (!statement) statements.set(published, (statement = rawStatementFor(plan, published)));
    const bindings = statement.bindings.map((b) => (b === DOCUMENT_ID ? documentId : b));
    // Inside the host's transaction (the content manager wraps create + publish in one) the row
    // is read on that transaction: another connection would not see it yet (PostgreSQL) or wait
    // for the only one (SQLite).
    const result = strapi.db.inTransaction()
      ? await strapi.db.transaction(({ trx }) => trx.raw(statement.sql, bindings as any[]))
      : await strapi.db.connection.raw(statement.sql, bindings as any[]);
    const [row] = rawRows(strapi, result);
    if (!row) return null;
    const { stamps, scalars, booleans, relations } = plan;
    const doc: Doc = { id: row.id };
    for (const a of stamps) doc[a] = row[a];
    for (const [attribute] of scalars) {
      const v = row[`a_${attribute}`];
      doc[attribute] = booleans.has(attribute) && v !== null && v !== undefined ? Boolean(v) : v;
    }
    [...relations.keys()].forEach((name, i) => {
      const id = row[`r${i}_id`];
      doc[name] = id === null || id === undefined ? null : { id, documentId: row[`r${i}_doc`] };
    });
    return doc;
  };

  /** The content type a path ends on when every step of it is a relation (a trigger's scope). */
  const targetOf = (uid: string, path: string): string | null => {
    let model: any = strapi.getModel(uid as any);
    let target: string | null = null;
    for (const key of path.split('.')) {
      const attr = model?.attributes?.[key];
      if (attr?.type !== 'relation' || typeof attr.target !== 'string') return null;
      target = attr.target;
      model = strapi.getModel(attr.target);
    }
    return target;
  };

  /**
   * What people call these documents: their title, name or label, whichever text attribute the
   * type has (the admin shows course boards by it). Documents without one are left out.
   */
  const titlesOf = async (uid: string, documentIds: string[]): Promise<Map<string, string>> => {
    const model: any = strapi.getModel(uid as any);
    const field = TITLE_ATTRIBUTES.find((name) =>
      ['string', 'text', 'uid'].includes(model?.attributes?.[name]?.type)
    );
    const titles = new Map<string, string>();
    if (!field) return titles;
    for (const chunk of chunks(documentIds)) {
      const rows = await strapi.db.query(uid as any).findMany({
        where: { documentId: { $in: chunk } },
        select: ['documentId', field],
      });
      for (const row of rows as Doc[])
        if (typeof row[field] === 'string' && row[field].trim())
          titles.set(row.documentId, row[field]);
    }
    return titles;
  };

  return { planFor: rawPlanFor, readRaw, targetOf, titlesOf };
});

/** The attributes that name a document, most telling first. */
const TITLE_ATTRIBUTES = ['title', 'name', 'label', 'displayName', 'slug'];
