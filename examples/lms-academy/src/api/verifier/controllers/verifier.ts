import path from 'path';
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';

/** The browser entry of the verifier, beside the app's sources (not compiled into dist/). */
const ENTRY = 'verifier/credential-verifier.mjs';

/**
 * Packages that name their browser build only in package.json's `browser` map, which esbuild
 * does not apply to a package whose `exports` is set: without this, the Node build (which uses
 * `Buffer`) would be bundled.
 */
const BROWSER_BUILDS: Record<string, string> = {
  'base64url-universal': 'lib/browser.js',
};

const browserBuilds = (appRoot: string) => ({
  name: 'browser-builds',
  setup(build: { onResolve: (...args: any[]) => void }) {
    const names = Object.keys(BROWSER_BUILDS).join('|');
    build.onResolve({ filter: new RegExp(`^(${names})$`) }, (args: { path: string }) => {
      const main = require.resolve(args.path, { paths: [appRoot] });
      const root = main.slice(0, main.lastIndexOf(`/node_modules/${args.path}/`));
      return { path: path.join(root, 'node_modules', args.path, BROWSER_BUILDS[args.path]) };
    });
  },
});

/**
 * `GET /api/credential-verifier.js`: verifier/credential-verifier.mjs bundled for the browser
 * with esbuild (which Strapi already ships), the JSON-LD contexts included, so the page
 * fetches nothing but this server. Built from the installed packages on the first request
 * (under a second) and kept for the life of the process: nothing generated is committed.
 */
const verifierController = ({ strapi }: { strapi: Core.Strapi }) => {
  let bundle: Promise<string> | null = null;

  const build = async (): Promise<string> => {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [path.join(strapi.dirs.app.root, ENTRY)],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      write: false,
      logLevel: 'silent',
      plugins: [browserBuilds(strapi.dirs.app.root)],
    });
    return result.outputFiles[0].text;
  };

  return {
    async script(ctx: Context) {
      if (!bundle) {
        bundle = build();
        bundle.catch(() => (bundle = null)); // the next request tries again
      }
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.body = await bundle;
    },
  };
};

export default verifierController;
