#!/usr/bin/env node
/**
 * Renders every assets/badges/<slug>.svg to assets/badges/<slug>.png, 256×256 with a transparent
 * background. The PNGs are committed and ship in the package: an app whose upload policy denies
 * image/svg+xml (create-strapi-app 5.54's default) gets them instead of the SVGs when the catalog
 * is seeded (server/src/services/seed.ts). A developer tool, not part of the build or the tests:
 * run `node scripts/render-artwork.mjs` after changing the SVGs and commit the result.
 *
 * Needs Debian's Chromium: apt-get update && apt-get install -y chromium
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SIZE = 256;
const CHROMIUM = '/usr/bin/chromium';
/** The flags that work for Debian's Chromium on these machines (see STRAPI-NOTES.md, Browser). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../assets/badges');

if (!fs.existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  process.exit(1);
}
const slugs = fs
  .readdirSync(dir)
  .filter((name) => name.endsWith('.svg'))
  .map((name) => name.slice(0, -'.svg'.length))
  .sort();
if (!slugs.length) {
  console.error(`no SVG in ${dir}`);
  process.exit(1);
}

// A fresh profile each run. Playwright passes launchPersistentContext's first argument as
// --user-data-dir (it refuses the flag in `args`).
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'achievements-render-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: SIZE, height: SIZE },
  deviceScaleFactor: 1,
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  for (const slug of slugs) {
    const svg = fs.readFileSync(path.join(dir, `${slug}.svg`));
    // As an <img>, each SVG is drawn on its own (its gradient ids cannot clash) and scaled as a
    // vector to the full 256×256 box, whatever width/height the file itself declares.
    const src = `data:image/svg+xml;base64,${svg.toString('base64')}`;
    await page.setContent(
      `<!doctype html><html><head><style>html,body{margin:0;padding:0;background:transparent}` +
        `img{display:block;width:${SIZE}px;height:${SIZE}px}</style></head>` +
        `<body><img alt="" src="${src}"></body></html>`
    );
    await page.locator('img').evaluate((img) => img.decode());
    const out = path.join(dir, `${slug}.png`);
    await page.screenshot({
      path: out,
      omitBackground: true,
      clip: { x: 0, y: 0, width: SIZE, height: SIZE },
    });
    console.log(`${path.relative(process.cwd(), out)}  ${fs.statSync(out).size} bytes`);
  }
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
