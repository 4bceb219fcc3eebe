import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { PLUGIN_ID, UID } from '../../../common/constants';
import type { PluginConfig, Trigger } from '../config/schema';
import { insertIgnore, row, tableOf, toJson } from '../utils/db';
import { getService } from '../utils/get-service';

export interface BackfillState {
  id: string;
  status: 'running' | 'done' | 'failed';
  phase: 'replay' | 'evaluate' | 'done';
  badges: string[] | null;
  notify: boolean;
  total: number;
  processed: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  owner: string;
  /** Where a resumed run continues. */
  cursor: { trigger: number; lastId: number; users: boolean; lastUserId: number };
  added: { events: number; achievements: number };
  error: string | null;
}

const PAGE = 200;
/** A run whose owner has not written progress for this long is taken over by the next start. */
const LEASE_MS = 60_000;
const REPLAYABLE: Trigger['action'][] = ['create', 'update', 'publish'];

/**
 * Recalculation (backfill): replays the host's existing data through the triggers, with the same
 * keys live events use (so a fact seen live and replayed counts once), then re-evaluates every
 * member with activity over their whole ledger so awards carry their historical earnedAt.
 * Resumable, one run at a time across processes, safe while the site is live, and a second run
 * adds nothing.
 */
const backfillService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'backfill' });
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  const owner = () => getService(strapi, 'engine').instance;
  let current: Promise<BackfillState> | null = null;
  let starting = false;

  const save = async (state: BackfillState) => {
    state.updatedAt = new Date().toISOString();
    await store().set({ value: state });
  };

  const replayable = () =>
    config().triggers.filter((t) => REPLAYABLE.includes(t.action) && !t.retracts);

  const countDocs = async (trigger: Trigger) => {
    const model = strapi.getModel(trigger.uid as any) as any;
    if (!model) return 0;
    const dp = model.options?.draftAndPublish === true;
    return strapi.db
      .query(trigger.uid as any)
      .count({ where: dp ? { publishedAt: { $notNull: true } } : {} });
  };

  interface Replayed {
    type: string;
    userId: number;
    key: string;
    occurredAt: number;
    actorId?: number | null;
    subject?: string | null;
    data?: Record<string, unknown>;
  }

  const insertReplayed = async (event: Replayed) => {
    const t = tableOf(strapi, UID.event);
    const now = new Date();
    // Replayed facts are written as processed: the evaluate phase judges them, silently if asked.
    return insertIgnore(
      strapi,
      strapi.db.connection,
      t.name,
      row(t, {
        key: event.key,
        type: event.type,
        userId: event.userId,
        actorId: event.actorId ?? null,
        subject: event.subject ?? null,
        occurredAt: new Date(event.occurredAt),
        processedAt: now,
        claimedAt: null,
        claimedBy: null,
        attempts: 0,
        source: 'backfill',
        data: toJson(event.data ?? null),
      }),
      [t.col('key')]
    );
  };

  const execute = async (state: BackfillState): Promise<BackfillState> => {
    const triggers = getService(strapi, 'triggers');
    const catalog = await getService(strapi, 'catalog').get();
    const only = state.badges
      ? catalog.defs.filter((b) => state.badges!.includes(b.slug))
      : undefined;
    const list = replayable();
    try {
      // Phase 1: replay host documents.
      state.phase = 'replay';
      for (
        ;
        state.cursor.trigger < list.length;
        state.cursor.trigger += 1, state.cursor.lastId = 0
      ) {
        const trigger = list[state.cursor.trigger];
        const model = strapi.getModel(trigger.uid as any) as any;
        if (!model) continue;
        const dp = model.options?.draftAndPublish === true;
        for (;;) {
          const docs = (await (strapi.documents(trigger.uid as any) as any).findMany({
            populate: triggers.populateFor(trigger.uid, [trigger]),
            filters: { id: { $gt: state.cursor.lastId } },
            sort: 'id:asc',
            limit: PAGE,
            ...(dp ? { status: 'published' } : {}),
          })) as Array<Record<string, any>>;
          if (docs.length === 0) break;
          for (const doc of docs) {
            const event = triggers.toEvent(trigger, doc, doc.documentId);
            if (event && (await insertReplayed(event))) state.added.events += 1;
            state.cursor.lastId = doc.id;
            state.processed += 1;
          }
          await save(state);
        }
      }
      if (!state.cursor.users) {
        const users = await strapi.db
          .query(UID.user)
          .findMany({ select: ['id'], orderBy: { id: 'asc' } });
        for (const user of users) {
          const event = await triggers.profileEventFor(user.id);
          if (event && (await insertReplayed(event))) state.added.events += 1;
          state.processed += 1;
        }
        state.cursor.users = true;
        await save(state);
      }

      // Phase 2: re-evaluate every member with activity, oldest fact first.
      state.phase = 'evaluate';
      const t = tableOf(strapi, UID.event);
      const engine = getService(strapi, 'engine');
      for (;;) {
        const ids = (
          await strapi.db
            .connection(t.name)
            .distinct(t.col('userId'))
            .where(t.col('userId'), '>', state.cursor.lastUserId)
            .orderBy(t.col('userId'))
            .limit(PAGE)
        ).map((r: any) => r[t.col('userId')] as number);
        if (ids.length === 0) break;
        for (const userId of ids) {
          const { earned } = await engine.recalculateMember(userId, { only, notify: state.notify });
          state.added.achievements += earned.length;
          state.cursor.lastUserId = userId;
          state.processed += 1;
        }
        await save(state);
      }
      state.status = 'done';
      state.phase = 'done';
      state.finishedAt = new Date().toISOString();
      state.total = Math.max(state.total, state.processed);
    } catch (error) {
      state.status = 'failed';
      state.error = (error as Error).message;
      strapi.log.error(`achievements: recalculation failed: ${(error as Error).stack ?? error}`);
    }
    await save(state);
    return state;
  };

  return {
    async status(): Promise<BackfillState | null> {
      return ((await store().get({})) as BackfillState | null) ?? null;
    },

    /** Starts a run (or resumes an abandoned one) and resolves when it is finished. */
    async run(opts: { badges?: string[]; notify?: boolean } = {}): Promise<BackfillState> {
      return (await this.start(opts)).done;
    },

    /** Starts a run in the background; `done` resolves with its final state. */
    async start(opts: { badges?: string[]; notify?: boolean } = {}) {
      if (current || starting)
        throw new errors.ApplicationError('a recalculation is already running');
      // Claimed before the first await, so two calls at the same moment cannot both start.
      starting = true;
      try {
        return await begin(opts);
      } finally {
        starting = false;
      }
    },
  };

  async function begin(opts: { badges?: string[]; notify?: boolean }) {
    const previous = ((await store().get({})) as BackfillState | null) ?? null;
    const stale = previous && Date.now() - new Date(previous.updatedAt).getTime() > LEASE_MS;
    if (previous?.status === 'running' && !stale) {
      throw new errors.ApplicationError('a recalculation is already running');
    }
    if (opts.badges) {
      const catalog = await getService(strapi, 'catalog').get();
      const unknown = opts.badges.filter((slug) => !catalog.defs.some((b) => b.slug === slug));
      if (unknown.length) {
        throw new errors.ValidationError(`badges: unknown badge ${unknown.join(', ')}`, {
          errors: [{ path: 'badges', message: `unknown badge ${unknown.join(', ')}` }],
        });
      }
    }
    const resume = previous?.status === 'running' && stale;
    const state: BackfillState = resume
      ? { ...previous!, owner: owner() }
      : {
          id: `${Date.now()}`,
          status: 'running',
          phase: 'replay',
          badges: opts.badges ?? null,
          notify: opts.notify ?? false,
          total: 0,
          processed: 0,
          startedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          finishedAt: null,
          owner: owner(),
          cursor: { trigger: 0, lastId: 0, users: false, lastUserId: 0 },
          added: { events: 0, achievements: 0 },
          error: null,
        };
    if (!resume) {
      let total = (await strapi.db.query(UID.user).count({})) as number;
      for (const trigger of replayable()) total += await countDocs(trigger);
      // Each member with activity is evaluated once after the replay.
      const t = tableOf(strapi, UID.event);
      const [{ n }] = await strapi.db.connection(t.name).countDistinct({ n: t.col('userId') });
      state.total = total + Math.max(Number(n), 0);
    }
    await save(state);
    current = execute(state).finally(() => {
      current = null;
    });
    return { state, done: current };
  }
};

export default backfillService;
