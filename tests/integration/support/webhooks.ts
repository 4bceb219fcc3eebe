import http from 'http';
import type { AddressInfo } from 'net';
import { superAdminToken, type TestApp } from '../helpers/strapi';

/**
 * A webhook receiver on loopback, registered in Strapi for `events`: what it received, a wait
 * for at least `count` deliveries (and nothing more arriving), and its close.
 */
export const webhookReceiver = async (app: TestApp, name: string, events: string[]) => {
  const received: Array<{ event: string; body: any }> = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      received.push({ event: body.event, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const admin = await superAdminToken(app);
  const res = await app
    .request()
    .post('/admin/webhooks')
    .set('Authorization', `Bearer ${admin}`)
    .send({ name, url, headers: {}, events });
  if (res.status !== 201)
    throw new Error(`webhook registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    received,
    async settle(count: number) {
      const deadline = Date.now() + 10_000;
      while (received.length < count && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300)); // and nothing more arrives
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
