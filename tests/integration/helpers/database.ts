import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';

export type DatabaseClient = 'sqlite' | 'postgres' | 'mysql';

export interface TestDatabase {
  client: DatabaseClient;
  /** Environment the example app's config/database.ts reads. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export const databaseClient = (): DatabaseClient => {
  const client = process.env.DATABASE_CLIENT ?? 'sqlite';
  if (client !== 'sqlite' && client !== 'postgres' && client !== 'mysql') {
    throw new Error(`DATABASE_CLIENT must be sqlite, postgres or mysql, not "${client}"`);
  }
  return client;
};

const PG = {
  host: process.env.DATABASE_HOST ?? '127.0.0.1',
  port: Number(process.env.DATABASE_PORT ?? 5432),
  user: process.env.DATABASE_USERNAME ?? 'postgres',
  password: process.env.DATABASE_PASSWORD ?? '',
};
const MY = {
  host: process.env.DATABASE_HOST ?? '127.0.0.1',
  port: Number(process.env.DATABASE_PORT ?? 3306),
  user: process.env.DATABASE_USERNAME ?? 'root',
  password: process.env.DATABASE_PASSWORD ?? '',
};

/** A temporary public folder (with uploads/) so test uploads never land in the repository. */
const withPublicDir = (db: TestDatabase): TestDatabase => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achievements-public-'));
  fs.mkdirSync(path.join(dir, 'uploads'));
  return {
    ...db,
    env: { ...db.env, STRAPI_PUBLIC_DIR: dir },
    drop: async () => {
      await db.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** A brand-new, empty database (and public folder) for one test file; `drop()` removes both. */
export const createTestDatabase = async (): Promise<TestDatabase> =>
  withPublicDir(await createBareDatabase());

const createBareDatabase = async (): Promise<TestDatabase> => {
  const client = databaseClient();
  const name = `achievements_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;

  if (client === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achievements-it-'));
    return {
      client,
      env: { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: path.join(dir, 'data.db') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }

  if (client === 'postgres') {
    const { Client } = await import('pg');
    const admin = async (sql: string) => {
      const c = new Client({ ...PG, database: 'postgres' });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    await admin(`CREATE DATABASE ${name}`);
    return {
      client,
      env: {
        DATABASE_CLIENT: 'postgres',
        DATABASE_HOST: PG.host,
        DATABASE_PORT: String(PG.port),
        DATABASE_USERNAME: PG.user,
        DATABASE_PASSWORD: PG.password,
        DATABASE_NAME: name,
      },
      drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }

  const mysql = await import('mysql2/promise');
  const admin = async (sql: string) => {
    const c = await mysql.createConnection(MY);
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return {
    client,
    env: {
      DATABASE_CLIENT: 'mysql',
      DATABASE_HOST: MY.host,
      DATABASE_PORT: String(MY.port),
      DATABASE_USERNAME: MY.user,
      DATABASE_PASSWORD: MY.password,
      DATABASE_NAME: name,
    },
    drop: () => admin(`DROP DATABASE IF EXISTS ${name}`),
  };
};
