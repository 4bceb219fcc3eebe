import http from 'http';
import type { AddressInfo } from 'net';
import type { TestApp } from '../helpers/strapi';

/** One Server-Sent Event as a client receives it, with when it arrived. */
export interface ReceivedEvent {
  id: string | null;
  event: string;
  data: any;
  at: number;
}

/**
 * A Server-Sent Events client over a real socket (Node 20 has no EventSource): it parses the
 * stream as a browser does (fields `id`, `event`, `data`; comment lines kept apart).
 */
export interface SseClient {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The error body when the stream was refused. */
  body: any;
  events: ReceivedEvent[];
  comments: string[];
  /** Resolves with the first event (already received or next) that matches. */
  next(match: (e: ReceivedEvent) => boolean, timeoutMs?: number): Promise<ReceivedEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** The app's HTTP server listening on a free port (supertest alone never opens one for long). */
export const listeningUrl = async (app: TestApp): Promise<string> => {
  const server = app.strapi.server.httpServer;
  if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

export const openStream = async (
  app: TestApp,
  query: string,
  headers: Record<string, string> = {}
): Promise<SseClient> => {
  const base = await listeningUrl(app);
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}/api/achievements/me/notifications/stream${query}`,
      { headers: { Accept: 'text/event-stream', ...headers } },
      (res) => {
        const waiting: Array<{
          match: (e: ReceivedEvent) => boolean;
          done: (e: ReceivedEvent) => void;
        }> = [];
        let buffer = '';
        let endResolve: () => void;
        const client: SseClient = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: null,
          events: [],
          comments: [],
          ended: new Promise<void>((r) => (endResolve = r)),
          next(match, timeoutMs = 5000) {
            const seen = client.events.find(match);
            if (seen) return Promise.resolve(seen);
            return new Promise((done, fail) => {
              const timer = setTimeout(
                () => fail(new Error(`no matching event within ${timeoutMs} ms`)),
                timeoutMs
              );
              waiting.push({
                match,
                done: (e) => {
                  clearTimeout(timer);
                  done(e);
                },
              });
            });
          },
          close: () => req.destroy(),
        };
        res.setEncoding('utf8');
        res.on('end', () => endResolve());
        res.on('close', () => endResolve());
        if (client.status !== 200) {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            client.body = JSON.parse(text || 'null');
            resolve(client);
          });
          return;
        }
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const fields: Record<string, string> = {};
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
              else if (line.includes(':')) {
                const at = line.indexOf(':');
                fields[line.slice(0, at)] = line.slice(at + 1).replace(/^ /, '');
              }
            }
            if (fields.data === undefined) continue;
            const event: ReceivedEvent = {
              id: fields.id ?? null,
              event: fields.event ?? 'message',
              data: JSON.parse(fields.data),
              at: Date.now(),
            };
            client.events.push(event);
            for (const w of [...waiting])
              if (w.match(event)) {
                waiting.splice(waiting.indexOf(w), 1);
                w.done(event);
              }
          }
        });
        resolve(client);
      }
    );
    req.on('error', reject);
  });
};
