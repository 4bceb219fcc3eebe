import type { Core } from '@strapi/strapi';
import { defineSignal } from './signal';

const eventsRecorded = defineSignal();

/**
 * How the ledger tells the evaluator that new events are in, without depending on it: the
 * evaluator listens while it runs, and recording an event signals.
 */
export const onEventsRecorded = (strapi: Core.Strapi, listener: () => void): (() => void) =>
  eventsRecorded.on(strapi, listener);

export const signalEventsRecorded = (strapi: Core.Strapi): void => eventsRecorded.emit(strapi);
