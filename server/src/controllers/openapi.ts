import fs from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';

/**
 * Files the package ships for frontends, served as-is: the OpenAPI document of the content API
 * and the `<achievements-card>`, `<achievements-notifier>` and `<achievements-leaderboard>` modules
 * with the module they share (so a page can load them from the Strapi server without a bundler).
 * Every route is open (`auth: false`): none says anything about any member.
 */
const FILES = {
  document: 'openapi/achievements.openapi.json',
  component: 'card/achievements-card.js',
  notifier: 'card/achievements-notifier.js',
  leaderboard: 'card/achievements-leaderboard.js',
  shared: 'card/achievements-shared.js',
} as const;

/** The package root: the built server runs from `dist/server`, the sources from `server/src`. */
const locate = (relative: string): string | null => {
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth += 1) {
    const candidate = path.join(dir, relative);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
};

const openapiController = ({ strapi: _strapi }: { strapi: Core.Strapi }) => {
  // Read once per process: the files only change with the package.
  const cache = new Map<string, string>();
  const read = (relative: string): string => {
    const hit = cache.get(relative);
    if (hit !== undefined) return hit;
    const file = locate(relative);
    if (!file) throw new errors.NotFoundError(`${relative} is not part of this installation`);
    const text = fs.readFileSync(file, 'utf8');
    cache.set(relative, text);
    return text;
  };

  /** A handler answering one of the web component modules. */
  const module = (relative: string) => async (ctx: any) => {
    ctx.type = 'text/javascript; charset=utf-8';
    ctx.body = read(relative);
  };

  return {
    async document(ctx: any) {
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = read(FILES.document);
    },
    component: module(FILES.component),
    notifier: module(FILES.notifier),
    leaderboard: module(FILES.leaderboard),
    /** Imported by the three modules above as `./achievements-shared.js`. */
    shared: module(FILES.shared),
  };
};

export default openapiController;
