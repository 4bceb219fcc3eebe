import type { Core } from '@strapi/strapi';

type Listener = () => void;
const listeners = new WeakMap<Core.Strapi, Set<Listener>>();

/**
 * How the ledger tells the evaluator that new events are in, without depending on it: the
 * evaluator listens while it runs, and recording an event signals. Per Strapi instance (tests boot
 * several in one process). Returns the function that stops listening.
 */
export const onEventsRecorded = (strapi: Core.Strapi, listener: Listener): (() => void) => {
  const set = listeners.get(strapi) ?? new Set<Listener>();
  listeners.set(strapi, set);
  set.add(listener);
  return () => set.delete(listener);
};

export const signalEventsRecorded = (strapi: Core.Strapi): void => {
  listeners.get(strapi)?.forEach((listener) => listener());
};
