// Child processes of the coordinator: Strapi servers (IPC commands) and the load generator.
import { fork } from 'child_process';
import path from 'path';
import { fileURLToPath } from 'url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const startServer = (env, port, { execArgv = [], startTimeoutMs = 120_000 } = {}) =>
  new Promise((resolve, reject) => {
    // BENCH_PROFILE=<dir>: every server process writes a V8 CPU profile there when it stops.
    if (process.env.BENCH_PROFILE)
      execArgv = [...execArgv, '--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`];
    const child = fork(path.join(here, 'server.mjs'), [], {
      env: { ...process.env, BENCH_SERVER_ENV: JSON.stringify(env), BENCH_PORT: String(port) },
      execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let seq = 0;
    const waiting = new Map();
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${startTimeoutMs / 1000} s`)),
      startTimeoutMs
    );
    child.on('message', (m) => {
      if (m.ready) {
        clearTimeout(timer);
        resolve(server);
        return;
      }
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      if (m.ok) w.resolve(m.value);
      else w.reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      for (const w of waiting.values()) w.reject(new Error(`server exited ${code}`));
      if (code) reject(new Error(`server exited ${code}`));
    });
    const server = {
      port,
      pid: child.pid,
      child,
      call: (cmd, args) =>
        new Promise((res, rej) => {
          const id = ++seq;
          waiting.set(id, { resolve: res, reject: rej });
          child.send({ id, cmd, args });
        }),
      stop: async () => {
        if (child.exitCode !== null) return;
        const gone = new Promise((r) => child.once('exit', r));
        server.call('stop').catch(() => {});
        const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await gone;
        clearTimeout(t);
      },
    };
  });

/** One load generator process, reused for every batch of a benchmark. */
export const startLoad = () => {
  const child = fork(path.join(here, 'load.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    run: (opts) =>
      new Promise((resolve) => {
        child.once('message', resolve);
        child.send(opts);
      }),
    stop: () => child.kill(),
  };
};
