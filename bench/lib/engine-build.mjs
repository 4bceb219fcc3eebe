// Bundles the pure engine (TypeScript) into one CommonJS file with esbuild, so the benchmark
// measures the same code the plugin ships, without a TypeScript loader in the hot path.
import { buildSync } from 'esbuild';
import { createRequire } from 'module';
import os from 'os';
import path from 'path';
import fs from 'fs';
import { fileURLToPath } from 'url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const loadEngine = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ach-bench-engine-'));
  const outfile = path.join(dir, 'engine.cjs');
  buildSync({
    entryPoints: [path.join(ROOT, 'engine/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    sourcemap: 'inline',
    nodePaths: [path.join(ROOT, 'node_modules')],
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(outfile);
};
