// Boots the example academy (with the plugin) on a fresh database, in this process.
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createRequire } from 'module';
import { ROOT } from './engine-build.mjs';
import { randomSecrets } from '../../scripts/lib/env.mjs';

const require = createRequire(path.join(ROOT, 'package.json'));
export const APP_DIR = path.join(ROOT, 'examples/lms-academy');
export const DIST_DIR = path.join(APP_DIR, 'dist');
export const PG = {
  host: '127.0.0.1',
  port: Number(process.env.DATABASE_PORT ?? 5432),
  user: process.env.DATABASE_USERNAME ?? 'postgres',
  password: process.env.DATABASE_PASSWORD ?? '',
};

// The academy refuses short or public secrets in production: random ones, made once by the
// first process that imports this and inherited by every process it forks (the servers of P6
// must share them: a member token or a stream ticket issued by one is checked by the other).
process.env.BENCH_SECRETS ??= JSON.stringify(randomSecrets());
const SECRETS = {
  ...JSON.parse(process.env.BENCH_SECRETS),
  // Legacy { id } member tokens, as in every earlier run: the figures stay comparable, and a
  // 'refresh' access token expires after 10 minutes, shorter than the longest runs.
  USERS_PERMISSIONS_JWT_MANAGEMENT: 'legacy-support',
};

export const MY = {
  host: '127.0.0.1',
  port: Number(process.env.BENCH_MYSQL_PORT ?? 3306),
  user: process.env.BENCH_MYSQL_USERNAME ?? 'root',
  password: process.env.BENCH_MYSQL_PASSWORD ?? '',
};

const myAdmin = async (sql) => {
  const mysql = require('mysql2/promise');
  const c = await mysql.createConnection(MY);
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
};

const pgAdmin = async (sql) => {
  const { Client } = require('pg');
  const c = new Client({ ...PG, database: 'postgres' });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
};

/** A fresh database: { env, drop() }. client = 'sqlite' | 'postgres' | 'mysql' (MariaDB). */
export const createDatabase = async (client) => {
  const publicDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ach-bench-public-'));
  fs.mkdirSync(path.join(publicDir, 'uploads'));
  const dropPublic = () => fs.rmSync(publicDir, { recursive: true, force: true });
  if (client === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ach-bench-db-'));
    return {
      client,
      env: {
        DATABASE_CLIENT: 'sqlite',
        DATABASE_FILENAME: path.join(dir, 'data.db'),
        STRAPI_PUBLIC_DIR: publicDir,
      },
      drop: async () => {
        fs.rmSync(dir, { recursive: true, force: true });
        dropPublic();
      },
    };
  }
  if (client === 'postgres') {
    const name = `ach_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    await pgAdmin(`CREATE DATABASE ${name}`);
    return {
      client,
      name,
      env: {
        DATABASE_CLIENT: 'postgres',
        DATABASE_HOST: PG.host,
        DATABASE_PORT: String(PG.port),
        DATABASE_USERNAME: PG.user,
        DATABASE_PASSWORD: PG.password,
        DATABASE_NAME: name,
        STRAPI_PUBLIC_DIR: publicDir,
      },
      drop: async () => {
        await pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        dropPublic();
      },
    };
  }
  if (client === 'mysql') {
    const name = `ach_bench_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
    await myAdmin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    return {
      client,
      name,
      env: {
        DATABASE_CLIENT: 'mysql',
        DATABASE_HOST: MY.host,
        DATABASE_PORT: String(MY.port),
        DATABASE_USERNAME: MY.user,
        DATABASE_PASSWORD: MY.password,
        DATABASE_NAME: name,
        STRAPI_PUBLIC_DIR: publicDir,
      },
      drop: async () => {
        await myAdmin(`DROP DATABASE IF EXISTS ${name}`);
        dropPublic();
      },
    };
  }
  throw new Error(`unsupported client ${client}`);
};

/** Loads Strapi (no admin panel). `listen` = a real HTTP server on 127.0.0.1:port. */
export const boot = async (env, { listen = false, port, beforeListen } = {}) => {
  Object.assign(
    process.env,
    SECRETS,
    {
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      ACHIEVEMENTS_POLL_MS: '1000',
      // Strapi's telemetry sends an HTTPS request (TLS set-up included) for each of the first
      // 1,000 /api requests of the day: inside the measured rounds, on whichever side runs first
      // (and never on P3's ceiling routes). A deployment pays it for 1,000 requests a day.
      // STRAPI_TELEMETRY_DISABLED=false measures with it.
      STRAPI_TELEMETRY_DISABLED: process.env.STRAPI_TELEMETRY_DISABLED ?? 'true',
    },
    env,
    port ? { PORT: String(port) } : {}
  );
  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({
    appDir: APP_DIR,
    distDir: DIST_DIR,
    autoReload: false,
    serveAdminPanel: false,
  });
  await strapi.load();
  if (beforeListen) await beforeListen(strapi);
  if (listen) await strapi.listen();
  else await strapi.server.mount();
  return strapi;
};

export const setEnabled = (strapi, enabled) =>
  strapi.plugin('achievements').service('settings').update({ enabled });
export const achievements = (strapi, name) => strapi.plugin('achievements').service(name);

/**
 * Samples PostgreSQL's lock waits in database `name` every `everyMs` from its own connection:
 * a backend seen waiting on a lock (pg_stat_activity.wait_event_type = 'Lock') through samples
 * spanning `thresholdMs` or more counts as one long wait. `stop()` returns { samples, waits,
 * longWaits, longestMs, longWaitQueries } (longestMs: the longest wait seen, a lower bound by up
 * to everyMs; longWaitQueries: the start of each long-waiting statement, to say what waited).
 */
export const sampleLockWaits = async (name, { everyMs = 20, thresholdMs = 100 } = {}) => {
  const { Client } = require('pg');
  const c = new Client({ ...PG, database: name });
  await c.connect();
  const seen = new Map(); // pid|query_start → { first, last } (ms)
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await c.query(
        `SELECT pid, query_start, left(query, 160) AS query FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`
      );
      const now = Date.now();
      samples += 1;
      for (const r of rows) {
        const key = `${r.pid}|${r.query_start?.getTime()}`;
        const w = seen.get(key);
        if (w) w.last = now;
        else seen.set(key, { first: now, last: now, query: r.query });
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      await c.end();
      const spans = [...seen.values()].map((w) => w.last - w.first);
      const long = [...seen.values()].filter((w) => w.last - w.first >= thresholdMs);
      return {
        longWaitQueries: long.map((w) => `${w.last - w.first} ms: ${w.query}`),
        samples,
        waits: spans.length,
        longWaits: spans.filter((ms) => ms >= thresholdMs).length,
        longestMs: spans.length ? Math.max(...spans) : 0,
      };
    },
  };
};
