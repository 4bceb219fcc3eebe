import type { Core } from '@strapi/strapi';
import type { Connection } from '../stores/transaction';
import { defineSignal } from './signal';

const notificationsWritten = defineSignal();

/**
 * How the outbox wakes this process's live streams once notifications are committed, without
 * depending on them: the streams' poller listens while streams are open. Other processes'
 * notifications reach it by polling.
 */
export const onNotificationsWritten = (strapi: Core.Strapi, listener: () => void): (() => void) =>
  notificationsWritten.on(strapi, listener);

/** Signals after `conn`'s transaction commits (at once when `conn` is no transaction). */
export const signalNotificationsWritten = (strapi: Core.Strapi, conn: Connection): void => {
  const committed: Promise<unknown> | undefined = conn?.executionPromise;
  if (!committed) return notificationsWritten.emit(strapi);
  // A rollback wrote nothing: nobody to wake.
  committed.then(
    () => notificationsWritten.emit(strapi),
    () => undefined
  );
};
