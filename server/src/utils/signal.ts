import type { Core } from '@strapi/strapi';

type Listener = () => void;

/**
 * An in-process wake-up call between two services that must not depend on each other: one
 * listens while it runs, the other signals. Per Strapi instance (tests boot several in one
 * process). `on` returns the function that stops listening.
 */
export const defineSignal = () => {
  const listeners = new WeakMap<Core.Strapi, Set<Listener>>();
  return {
    on(strapi: Core.Strapi, listener: Listener): () => void {
      const set = listeners.get(strapi) ?? new Set<Listener>();
      listeners.set(strapi, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    emit(strapi: Core.Strapi): void {
      listeners.get(strapi)?.forEach((listener) => listener());
    },
  };
};
