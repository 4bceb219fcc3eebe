import fs from 'fs';
import path from 'path';
import { compileStrapi } from '@strapi/strapi';
import { APP_DIR } from '../helpers/paths';

/** Compiles the example academy (TypeScript → dist) once for the whole run. */
export default async () => {
  const pluginBuild = path.resolve(APP_DIR, '../../dist/server/index.js');
  if (!fs.existsSync(pluginBuild)) {
    throw new Error('The plugin is not built: run `npm run build` (npm test does it first).');
  }
  await compileStrapi({ appDir: APP_DIR, ignoreDiagnostics: true });
};
