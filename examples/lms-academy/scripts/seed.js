#!/usr/bin/env node
'use strict';

/**
 * Seeds the demo academy: `node scripts/seed.js [--compile]`.
 *
 * Boots the compiled app (dist/) without its HTTP server, runs src/seed.ts, and shuts down.
 * The app is compiled first when dist/ is missing or when --compile is given (TypeScript only,
 * never the admin panel). Safe to run again: a second run creates nothing.
 */
const fs = require('fs');
const path = require('path');
const { createStrapi, compileStrapi } = require('@strapi/strapi');

const appDir = path.resolve(__dirname, '..');
const distDir = path.join(appDir, 'dist');

const main = async () => {
  if (process.argv.includes('--compile') || !fs.existsSync(path.join(distDir, 'src', 'seed.js'))) {
    await compileStrapi({ appDir });
  }
  const strapi = await createStrapi({
    appDir,
    distDir,
    autoReload: false,
    serveAdminPanel: false,
  }).load();
  try {
    const { seed } = require(path.join(distDir, 'src', 'seed.js'));
    await seed(strapi);
  } finally {
    await strapi.destroy();
  }
};

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  }
);
