import path from 'path';

/**
 * SQLite by default (the demo and the default test tier); DATABASE_CLIENT=postgres or mysql
 * points the same app at the machine's PostgreSQL or MariaDB.
 */
export default ({ env }) => {
  const client = env('DATABASE_CLIENT', 'sqlite');

  if (client === 'postgres' || client === 'mysql') {
    return {
      connection: {
        client,
        connection: {
          host: env('DATABASE_HOST', '127.0.0.1'),
          port: env.int('DATABASE_PORT', client === 'postgres' ? 5432 : 3306),
          database: env('DATABASE_NAME', 'lms_academy'),
          user: env('DATABASE_USERNAME', client === 'postgres' ? 'postgres' : 'root'),
          password: env('DATABASE_PASSWORD', ''),
          ssl: false,
        },
        pool: { min: env.int('DATABASE_POOL_MIN', 0), max: env.int('DATABASE_POOL_MAX', 10) },
        acquireConnectionTimeout: env.int('DATABASE_CONNECTION_TIMEOUT', 60000),
      },
    };
  }

  return {
    connection: {
      client: 'sqlite',
      connection: {
        filename: path.resolve(
          process.cwd(),
          env('DATABASE_FILENAME', path.join('.tmp', 'data.db'))
        ),
      },
      useNullAsDefault: true,
      pool: {
        // WAL lets readers (profile cards) run while a lesson completion writes, and the busy
        // timeout makes a second writer wait instead of failing with SQLITE_BUSY.
        afterCreate: (conn: any, done: (err: Error | null, conn: unknown) => void) => {
          try {
            conn.pragma('foreign_keys = ON');
            conn.pragma('journal_mode = WAL');
            conn.pragma('busy_timeout = 5000');
            conn.pragma('synchronous = NORMAL');
            done(null, conn);
          } catch (error) {
            done(error as Error, conn);
          }
        },
      },
    },
  };
};
