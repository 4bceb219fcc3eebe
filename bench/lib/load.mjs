// The load generator: a separate process on loopback that sends a fixed list of requests with
// bounded concurrency and a time limit, and reports each request's latency. Node's http module
// with a keep-alive agent (autocannon would do the same; it is not installed).
import http from 'http';

const run = ({ port, requests, concurrency = 8, maxSeconds = 60, hosts }) =>
  new Promise((resolve) => {
    const agents = (hosts ?? [{ port }]).map((h) => ({
      port: h.port,
      agent: new http.Agent({ keepAlive: true, maxSockets: concurrency }),
    }));
    const latencies = [];
    const statuses = {};
    const errorCodes = {};
    let retries = 0;
    let next = 0;
    let inFlight = 0;
    let done = 0;
    let errors = 0;
    const t0 = process.hrtime.bigint();
    const deadline = Date.now() + maxSeconds * 1000;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      agents.forEach((a) => a.agent.destroy());
      resolve({
        wallMs,
        latencies,
        statuses,
        errors,
        errorCodes,
        retries,
        sent: next,
        done,
        timedOut: Date.now() > deadline,
      });
    };
    const fire = (retry = null) => {
      if (retry === null && (next >= requests.length || Date.now() > deadline)) {
        if (inFlight === 0) finish();
        return;
      }
      const i = retry ?? next++;
      const r = requests[i];
      const target = agents[i % agents.length];
      inFlight++;
      const body = r.body === undefined ? null : JSON.stringify(r.body);
      const s = process.hrtime.bigint();
      const req = http.request(
        {
          host: '127.0.0.1',
          port: target.port,
          method: r.method ?? 'GET',
          path: r.path,
          agent: target.agent,
          headers: {
            ...(r.headers ?? {}),
            ...(body
              ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
              : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
            statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
            inFlight--;
            done++;
            fire();
          });
        }
      );
      req.on('error', (e) => {
        inFlight--;
        // A keep-alive socket the server closed just as it was reused: send the request again once
        // on a fresh socket (every request here is idempotent), and count it.
        if (e.code === 'ECONNRESET' && req.reusedSocket && !r.retried) {
          r.retried = true;
          retries++;
          fire(i);
          return;
        }
        errors++;
        errorCodes[e.code ?? e.message] = (errorCodes[e.code ?? e.message] ?? 0) + 1;
        done++;
        fire();
      });
      if (body) req.write(body);
      req.end();
    };
    for (let c = 0; c < concurrency; c++) fire();
  });

process.on('message', async (msg) => {
  process.send(await run(msg));
});
