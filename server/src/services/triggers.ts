import type { Core } from '@strapi/strapi';
import { UID } from '../../../common/constants';
import { COURSE_BOARD_PREFIX } from '../../../common/api';
import type { Trigger } from '../config/schema';
import { hostDocuments } from '../stores/host-documents';
import { retryOnConnectionLoss } from '../utils/connection-retry';
import { getService } from '../utils/get-service';
import { pluginConfig } from '../utils/plugin-config';
import { PROFILE_EVENT } from '../config/events';
import { occurredAtProblem } from '../validation/occurred-at';

/**
 * The trigger adapter: turns the host's writes into events. A document-service middleware sees
 * content-manager, REST and service writes; users-permissions users are written through the
 * query engine, so profile changes come from database lifecycles instead.
 *
 * Whatever happens here, the host's write keeps its result: errors are logged, never thrown.
 */
type Doc = Record<string, any>;
type DocumentAction = 'create' | 'update' | 'delete' | 'publish' | 'unpublish' | string;

export { PROFILE_EVENT };

const get = (doc: Doc | null | undefined, path: string): unknown =>
  path.split('.').reduce<any>((value, key) => (value == null ? undefined : value[key]), doc);

const firstResolved = (doc: Doc, paths: string | string[] | undefined): unknown => {
  for (const path of typeof paths === 'string' ? [paths] : (paths ?? [])) {
    const value = get(doc, path);
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
};

const idOf = (value: unknown): number | null => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (value && typeof value === 'object' && 'id' in value) return idOf((value as Doc).id);
  return null;
};

const scalarOf = (value: unknown): string | number | boolean | null => {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return (value as Doc).documentId ?? (value as Doc).id ?? null;
  return value as string | number | boolean;
};

const ms = (value: unknown): number | null => {
  if (value === null || value === undefined) return null;
  const t = new Date(value as any).getTime();
  return Number.isNaN(t) ? null : t;
};

/** Which trigger actions a document-service action can satisfy. */
const matches = (trigger: Trigger, action: DocumentAction, params: Doc): boolean => {
  if (trigger.action === action) return true;
  // `create`/`update` with status 'published' publish the document in the same call.
  return (
    trigger.action === 'publish' &&
    (action === 'create' || action === 'update') &&
    params?.status === 'published'
  );
};

const triggersService = ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => pluginConfig(strapi);

  let byUid: Map<string, Trigger[]> | null = null;
  const triggersFor = (uid: string): Trigger[] => {
    if (!byUid) {
      byUid = new Map();
      for (const t of config().triggers) byUid.set(t.uid, [...(byUid.get(t.uid) ?? []), t]);
    }
    return byUid.get(uid) ?? [];
  };

  /** populate for every relation a trigger reads, derived from the content type's schema. */
  const populateFor = (uid: string, triggers: Trigger[]) => {
    const paths = triggers.flatMap((t) => [
      ...[t.user].flat(),
      ...(t.actor ? [t.actor] : []),
      ...(t.owner ? [t.owner] : []),
      ...(t.subject ? [t.subject].flat() : []),
      ...(t.occurredAt ? [t.occurredAt] : []),
      ...Object.keys(t.when ?? {}),
      ...(t.data ?? []),
      ...(t.scope ? [t.scope] : []),
    ]);
    const populate: Doc = {};
    for (const path of paths) {
      let model: any = strapi.getModel(uid as any);
      let level = populate;
      for (const key of path.split('.')) {
        const attr = model?.attributes?.[key];
        if (!attr || !['relation', 'media', 'component'].includes(attr.type)) break;
        level[key] = level[key] === true || !level[key] ? { populate: {} } : level[key];
        level = level[key].populate;
        model = strapi.getModel((attr.target ?? attr.component) as any);
      }
    }
    const prune = (p: Doc): Doc | true =>
      Object.keys(p).length === 0
        ? true
        : Object.fromEntries(
            Object.entries(p).map(([k, v]) => {
              const inner = prune(v.populate);
              return [k, inner === true ? true : { populate: inner }];
            })
          );
    const pruned = prune(populate);
    return pruned === true ? undefined : pruned;
  };

  const load = async (uid: string, documentId: string, triggers: Trigger[], published: boolean) => {
    if (triggers.length === 1) {
      const raw = await hostDocuments(strapi).readRaw(triggers[0], documentId, published);
      if (raw !== undefined) return raw;
    }
    const model = strapi.getModel(uid as any) as any;
    const draftAndPublish = model?.options?.draftAndPublish === true;
    const populate = populateFor(uid, triggers);
    if (model?.pluginOptions?.i18n?.localized) {
      // Several rows per document (one per locale): the document service picks the default one.
      const repo = strapi.documents(uid as any) as any;
      return ((await repo.findOne({
        documentId,
        populate,
        ...(draftAndPublish ? { status: published ? 'published' : 'draft' } : {}),
      })) ?? null) as Doc | null;
    }
    // One row per status: the query engine reads it without the document service's transaction
    // and middlewares (a lesson completion paid 5 statements for this read, now 3).
    return ((await strapi.db.query(uid as any).findOne({
      where: {
        documentId,
        ...(draftAndPublish ? { publishedAt: published ? { $notNull: true } : null } : {}),
      },
      populate,
    })) ?? null) as Doc | null;
  };

  const keyFor = (trigger: Trigger, doc: Doc, documentId: string): string => {
    const base = `${trigger.event}:${trigger.uid}:${documentId}`;
    // One publication gives one publish event and at most one retraction, so republishing
    // counts again while a create/delete loop of the same document farms nothing.
    if (
      trigger.action === 'publish' ||
      trigger.action === 'unpublish' ||
      (trigger.action === 'delete' && doc.publishedAt)
    ) {
      return `${base}:${ms(doc.publishedAt) ?? 'draft'}`;
    }
    return base;
  };

  const toEvent = (trigger: Trigger, doc: Doc, documentId: string) => {
    for (const [path, expected] of Object.entries(trigger.when ?? {})) {
      if (scalarOf(get(doc, path)) !== expected) return null;
    }
    const userId = idOf(firstResolved(doc, trigger.user));
    if (userId === null) return null;
    const actorId = trigger.actor ? idOf(get(doc, trigger.actor)) : null;
    const ownerId = trigger.owner ? idOf(get(doc, trigger.owner)) : null;
    // Self-made activity farms nothing: a reaction to oneself, a comment on one's own post.
    if (trigger.ignoreSelf !== false && (actorId === userId || ownerId === userId)) return null;
    const subject = trigger.subject ? scalarOf(firstResolved(doc, trigger.subject)) : documentId;
    const fallbackAt =
      trigger.action === 'publish'
        ? doc.publishedAt
        : trigger.action === 'create'
          ? doc.createdAt
          : trigger.action === 'update'
            ? doc.updatedAt
            : null;
    // A host date the ledger would refuse (before oldestEvent, or in the future) must not lose
    // the fact: the action's own stamp, then now, stand in for it.
    const { oldestEvent } = config();
    const inWindow = (at: number | null) =>
      at !== null && occurredAtProblem(new Date(at), oldestEvent) === null ? at : null;
    const occurredAt =
      inWindow(ms(trigger.occurredAt ? get(doc, trigger.occurredAt) : null)) ??
      inWindow(ms(fallbackAt)) ??
      Date.now();
    const course = trigger.scope ? scalarOf(get(doc, trigger.scope)) : null;
    const data =
      trigger.data?.length || course !== null
        ? {
            ...Object.fromEntries(
              (trigger.data ?? []).map((path) => [path, scalarOf(get(doc, path))])
            ),
            // The board its points also count on (see services/points).
            ...(course !== null ? { scope: `${COURSE_BOARD_PREFIX}${course}` } : {}),
          }
        : undefined;
    return {
      type: trigger.event,
      userId,
      actorId,
      subject: subject === null ? null : String(subject),
      occurredAt,
      key: keyFor(trigger, doc, documentId),
      data,
    };
  };

  return {
    triggersFor,
    toEvent,
    load,
    populateFor,

    /** Registered in `register()`: before the database exists. */
    registerDocumentMiddleware() {
      strapi.documents.use(async (context: any, next: () => Promise<unknown>) => {
        const triggers = triggersFor(context.uid);
        if (triggers.length === 0) return next();
        const matching = triggers.filter((t) => matches(t, context.action, context.params));
        if (matching.length === 0) return next();
        // Switched off: the host's write costs nothing more than without the plugin.
        if (!(await getService(strapi, 'settings').isEnabled())) return next();

        const documentId: string | undefined = context.params?.documentId;
        const before = new Map<Trigger, Doc | null>();
        for (const t of matching.filter((t) => t.action === 'delete' || t.action === 'unpublish')) {
          try {
            if (documentId)
              before.set(
                t,
                await retryOnConnectionLoss(() => load(context.uid, documentId, [t], true))
              );
          } catch (error) {
            strapi.log.error(
              `achievements: could not read ${context.uid} ${documentId} before ${context.action}: ${error}`
            );
          }
        }

        const result: any = await next();

        try {
          const events = getService(strapi, 'events');
          for (const t of matching) {
            const id = documentId ?? result?.documentId;
            if (!id) continue;
            // The host's write has committed and will answer 2xx: a connection lost now must
            // not lose its fact, so reading and recording are tried again on a fresh one.
            await retryOnConnectionLoss(async () => {
              const doc = before.has(t)
                ? before.get(t)
                : await load(context.uid, id, [t], t.action === 'publish');
              if (!doc) return;
              const event = toEvent(t, doc, id);
              if (event) await events.record({ ...event, source: 'trigger' });
            });
          }
        } catch (error) {
          strapi.log.error(
            `achievements: trigger for ${context.uid} ${context.action} failed: ${error}`
          );
        }
        return result;
      });
    },

    /** The profile.updated event for a member's current profile (which profile fields are filled). */
    async profileEventFor(userId: number) {
      const fields = config().profileFields;
      const model = strapi.getModel(UID.user) as any;
      const user = await strapi.db.query(UID.user).findOne({
        where: { id: userId },
        populate: fields.filter((f) =>
          ['relation', 'media', 'component'].includes(model.attributes[f]?.type)
        ),
      });
      if (!user) return null;
      const at = ms(user.updatedAt) ?? Date.now();
      return {
        type: PROFILE_EVENT,
        userId: user.id as number,
        key: `${PROFILE_EVENT}:${UID.user}:${user.documentId}:${at}`,
        occurredAt: at,
        subject: user.documentId as string,
        data: { fields: Object.fromEntries(fields.map((f) => [f, isFilled(user[f])])) },
      };
    },

    /** users-permissions users: profile.updated, through db lifecycles. */
    subscribeUserLifecycles() {
      const record = async (result: Doc | undefined) => {
        try {
          if (!result?.id) return;
          const event = await this.profileEventFor(result.id);
          if (event) await getService(strapi, 'events').record({ ...event, source: 'trigger' });
        } catch (error) {
          strapi.log.error(`achievements: profile trigger failed: ${error}`);
        }
      };
      strapi.db.lifecycles.subscribe({
        models: [UID.user],
        afterCreate: (event: any) => record(event.result),
        afterUpdate: (event: any) => record(event.result),
      });
    },
  };
};

export const isFilled = (value: unknown): boolean => {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.some((item) => isFilled(item?.url ?? item));
  return true;
};

export default triggersService;
