import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';

/** One line in the jest output, unbuffered (jest's console adds a stack line to each log). */
export const log = (message: string): void => {
  process.stdout.write(`\x1b[36m[install]\x1b[0m ${message}\n`);
};

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Runs `fn`, then logs how long it took (also when it failed). */
export const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  log(`${label}…`);
  try {
    const result = await fn();
    log(`${label}: done in ${seconds(Date.now() - started)}`);
    return result;
  } catch (error) {
    log(`${label}: FAILED after ${seconds(Date.now() - started)}`);
    throw error;
  }
};

/** The last `lines` lines of a log file ('' when it does not exist). */
export const tail = (file: string, lines = 60): string =>
  fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
    : '';

/**
 * The environment of every child: the runner's, without what jest sets for itself and without
 * the database settings other tiers export (the fresh app reads DATABASE_* from its .env, and
 * each start sets its own).
 */
export const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('DATABASE_') || key.startsWith('JEST_')) delete env[key];
  }
  delete env.NODE_ENV; // jest's 'test'; each step sets its own
  return {
    ...env,
    STRAPI_TELEMETRY_DISABLED: 'true',
    NPM_CONFIG_FUND: 'false',
    NPM_CONFIG_AUDIT: 'false',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    ...extra,
  };
};

/**
 * The lines of a Strapi log that report errors or warnings (ANSI colours removed), for the test
 * output: a 500 answers only "Internal Server Error", the reason is in the server's log.
 */
export const problemLines = (file: string, max = 40): string[] => {
  if (!fs.existsSync(file)) return [];
  const plain = fs.readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
  return plain
    .split('\n')
    .filter((line) => /\]\s*(error|warn):|Error:|Warning:/.test(line))
    .slice(0, max);
};

/** The output a command wrote into `logFile` from byte `from` on: its last `lines` lines. */
const outputSince = (logFile: string, from: number, lines = 60): string => {
  const text = fs.readFileSync(logFile).subarray(from).toString('utf8').trimEnd();
  return text.split('\n').slice(-lines).join('\n');
};

/**
 * Runs a command to completion with its output appended to `logFile`; rejects with the command's
 * last lines of output on a non-zero exit or after `timeoutMs`, so the reason shows in CI's log.
 */
export const run = (
  cmd: string,
  args: string[],
  {
    cwd,
    logFile,
    env = {},
    timeoutMs = 600_000,
    label = `${cmd} ${args.join(' ')}`,
  }: {
    cwd: string;
    logFile: string;
    env?: Record<string, string>;
    timeoutMs?: number;
    label?: string;
  }
): Promise<void> =>
  new Promise((resolve, reject) => {
    fs.appendFileSync(logFile, `\n$ (cd ${cwd} && ${label})\n`);
    const from = fs.statSync(logFile).size;
    const out = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { cwd, env: childEnv(env), stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const fail = (why: string) =>
      reject(quiet(`\`${label}\` ${why} (in ${cwd}); its output:\n${outputSince(logFile, from)}`));
    child.on('error', (error) => {
      clearTimeout(timer);
      fail(`could not start: ${error.message}`);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else fail(`exited with ${signal ?? code}${signal === 'SIGKILL' ? ' (timed out?)' : ''}`);
    });
  });

/**
 * An error whose report is its message alone: the message already says what failed and shows
 * the output that matters, and a stack into the test helpers would only bury it.
 */
export const quiet = (message: string): Error => {
  const error = new Error(message);
  error.stack = message;
  return error;
};

/** Resolves true when something already listens on the port. */
const portInUse = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen(port);
  });

/** The first free port from `from` on. */
export const freePort = async (from: number): Promise<number> => {
  for (let port = from; port < from + 100; port += 1) {
    if (!(await portInUse(port))) return port;
  }
  throw new Error(`no free port in ${from}–${from + 99}`);
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export const stopProcess = (child: ChildProcess | undefined, graceMs = 10_000): Promise<void> =>
  new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
