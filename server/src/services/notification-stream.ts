import { PassThrough } from 'stream';
import type { Core } from '@strapi/strapi';
import { hostUsers } from '../stores/host-users';
import { notificationStore, type NotificationRecord } from '../stores/notifications';
import { onNotificationsWritten } from '../utils/notification-signal';
import { pluginConfig } from '../utils/plugin-config';
import { notificationOf } from './notifications';

/**
 * How long a row may stay invisible after a row with a larger id was read. PostgreSQL and
 * MariaDB hand out ids when a row is inserted, not when it commits, so a transaction that took
 * id 41 can commit after the one that took 42: each poll reads the ids of this window again
 * and delivers those not delivered yet.
 */
const LATE_COMMIT_WINDOW_MS = 5000;
/** Ids read per poll (two narrow columns); a longer backlog is read by the next polls. */
const IDS_PER_POLL = 5000;
/** Notifications a resumed stream is sent at most (the member lists older ones). */
const RESUME_LIMIT = 100;

/** One open `GET /me/notifications/stream`. */
interface LiveStream {
  userId: number;
  body: PassThrough;
  /** Row ids sent on this stream (a resumed stream's catch-up and the poller may meet). */
  sent: Set<number>;
}

/** One Server-Sent Event: the kind as its name, the row id as its cursor, the DTO as data. */
const eventOf = (r: NotificationRecord): string =>
  `id: ${r.id}\nevent: ${r.kind}\ndata: ${JSON.stringify(notificationOf(r))}\n\n`;

/**
 * The live side of notifications, per process: the open streams by member, and one poller
 * that reads new rows of the notification table for all of them (one narrow query per
 * interval, never one per stream), woken at once when this process's outbox commits. It only
 * runs while a stream is open. A stream resumed with its last cursor first gets what it missed.
 */
const notificationStreamService = ({ strapi }: { strapi: Core.Strapi }) => {
  const store = () => notificationStore(strapi);
  const streams = new Map<number, Set<LiveStream>>();
  let open = 0;
  /** The largest id read, and what it was at each poll of the late-commit window. */
  let highWater: number | null = null;
  let marks: Array<{ at: number; highWater: number }> = [];
  /** Ids above the window's floor already handled (delivered, or nobody was listening). */
  const handled = new Set<number>();
  let pollTimer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let stopListening: (() => void) | null = null;
  let polling: Promise<void> | null = null;
  let pollAgain = false;
  let stopped = false;

  const write = (stream: LiveStream, r: NotificationRecord) => {
    if (stream.sent.has(r.id)) return;
    stream.sent.add(r.id);
    stream.body.write(eventOf(r));
  };

  /** Ids at or under this were read long enough ago that a late commit below it is over. */
  const floorOf = (now: number): number => {
    while (marks.length > 1 && marks[1].at <= now - LATE_COMMIT_WINDOW_MS) marks.shift();
    return marks[0].highWater;
  };

  const pollOnce = async () => {
    if (open === 0) return;
    const now = Date.now();
    if (highWater === null) {
      highWater = await store().lastId();
      marks = [{ at: now, highWater }];
    }
    const floor = Math.min(floorOf(now), highWater);
    for (const id of handled) if (id <= floor) handled.delete(id);
    const rows = await store().idsAfter(floor, IDS_PER_POLL);
    const fresh = rows.filter((r) => !handled.has(r.id));
    for (const r of fresh) {
      handled.add(r.id);
      if (r.id > highWater) highWater = r.id;
    }
    marks.push({ at: now, highWater });
    const wanted = fresh.filter((r) => streams.has(r.userId)).map((r) => r.id);
    for (const record of await store().byIds(wanted))
      for (const stream of streams.get(record.userId) ?? []) write(stream, record);
    // A backlog longer than one read: read on without waiting for the timer.
    if (rows.length === IDS_PER_POLL) pollAgain = true;
    // Streams remember sent ids only as long as the poller could send them again.
    for (const set of streams.values())
      for (const stream of set)
        for (const id of stream.sent) if (id <= floor) stream.sent.delete(id);
  };

  /** One poll at a time; a wake-up during a poll runs one more right after it. */
  const poll = (): Promise<void> => {
    if (polling) {
      pollAgain = true;
      return polling;
    }
    polling = (async () => {
      do {
        pollAgain = false;
        try {
          await pollOnce();
        } catch (error) {
          if (!stopped) strapi.log.error(`achievements: notification streams: ${error}`);
        }
      } while (pollAgain && !stopped && open > 0);
    })().finally(() => {
      polling = null;
    });
    return polling;
  };

  /**
   * Ends the streams of members blocked or deleted since they opened one: one query for all
   * open streams, each heartbeat.
   */
  const endRevoked = async () => {
    const members = [...streams.keys()];
    if (members.length === 0) return;
    const active = await hostUsers(strapi).activeOf(members);
    for (const userId of members)
      if (!active.has(userId))
        for (const stream of [...(streams.get(userId) ?? [])]) stream.body.end();
  };

  const startPolling = () => {
    const { pollIntervalMs, heartbeatMs } = pluginConfig(strapi).streams;
    pollTimer = setInterval(() => void poll(), pollIntervalMs);
    heartbeatTimer = setInterval(() => {
      for (const set of streams.values()) for (const s of set) s.body.write(': heartbeat\n\n');
      endRevoked().catch((error) => {
        if (!stopped) strapi.log.error(`achievements: notification streams: ${error}`);
      });
    }, heartbeatMs);
    // Neither keeps the process alive on its own.
    pollTimer.unref();
    heartbeatTimer.unref();
    stopListening = onNotificationsWritten(strapi, () => void poll());
  };

  const stopPolling = () => {
    if (pollTimer) clearInterval(pollTimer);
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    stopListening?.();
    pollTimer = heartbeatTimer = stopListening = null;
    // The next first stream starts from the table's end again.
    highWater = null;
    marks = [];
    handled.clear();
  };

  const remove = (stream: LiveStream) => {
    const set = streams.get(stream.userId);
    if (!set?.delete(stream)) return;
    if (set.size === 0) streams.delete(stream.userId);
    open -= 1;
    if (open === 0) stopPolling();
  };

  return {
    /**
     * Opens a stream of `userId`'s notifications: the body to send (text/event-stream). With
     * `lastEventId` (the `id:` of the last event the client got), what the member was told
     * after it is sent first.
     */
    async open(userId: number, lastEventId?: number): Promise<PassThrough> {
      if (stopped) throw new Error('achievements: Strapi is shutting down');
      const stream: LiveStream = { userId, body: new PassThrough(), sent: new Set() };
      // A client reconnects after this long if the connection drops (then with a new ticket).
      stream.body.write('retry: 2000\n: open\n\n');
      const set = streams.get(userId) ?? new Set<LiveStream>();
      streams.set(userId, set);
      set.add(stream);
      open += 1;
      if (open === 1) startPolling();
      stream.body.on('close', () => remove(stream));
      // Registered before the catch-up read: a row written meanwhile reaches the stream from
      // one of the two (or both; `sent` keeps it once).
      if (lastEventId !== undefined) {
        for (const r of await store().ofMemberAfter(userId, lastEventId, RESUME_LIMIT))
          write(stream, r);
      }
      // Start the window now (a first stream), so nothing written from here on is missed.
      await poll();
      return stream.body;
    },

    /** How many streams this process holds open (the bench and tests read it). */
    openCount: () => open,

    /** Strapi is stopping: every stream ends (clients reconnect elsewhere), nothing polls. */
    async stop() {
      stopped = true;
      for (const set of [...streams.values()]) for (const stream of [...set]) stream.body.end();
      streams.clear();
      open = 0;
      stopPolling();
      await polling;
    },
  };
};

export default notificationStreamService;
