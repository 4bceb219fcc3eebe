import type { Core } from '@strapi/strapi';

/**
 * A store is the one module that reads and writes one of the plugin's tables. It is a plain
 * object made once per Strapi instance (tests boot several in one process), so callers write
 * `ledgerStore(strapi).claim(…)` and import it: no service lookup by name, and the import
 * graph shows who touches which table.
 */
export const defineStore = <T>(make: (strapi: Core.Strapi) => T) => {
  const made = new WeakMap<Core.Strapi, T>();
  return (strapi: Core.Strapi): T => {
    let store = made.get(strapi);
    if (!store) made.set(strapi, (store = make(strapi)));
    return store;
  };
};
