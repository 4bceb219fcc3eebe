import fs from 'fs';
import os from 'os';
import path from 'path';
import { bulkRows, insertMany, tableOf } from '../../server/src/stores/sql';
import { registerMember, setupTestApp } from './helpers/strapi';
import { enableAchievements } from './support/achievements';
import { API_PREFIX } from './support/openapi';

const app = setupTestApp();

const EVENTS = 100_000;
const MAX_RSS_GROWTH = 50 * 1024 * 1024;

/**
 * A member with 100k facts exports in a streamed response: the process's resident memory grows
 * by at most 50 MB while it is sent. Memory is sampled, not time: nothing here is timed.
 * Measured at 250 facts a page (2026-12-04): SQLite 4 MB, PostgreSQL 2.1 MB, MariaDB 0.8 MB.
 */
describe('the export of a large member', () => {
  it(`streams ${EVENTS.toLocaleString('en')} facts with peak RSS growth ≤ 50 MB`, async () => {
    await enableAchievements(app);
    const member = await registerMember(app);
    const strapi = app.strapi;
    const table = tableOf(strapi, 'plugin::achievements.event');
    const at = Date.now() - 86_400_000;
    for (let i = 0; i < EVENTS; i += 400) {
      const rows = bulkRows(
        table,
        Array.from({ length: Math.min(400, EVENTS - i) }, (_, j) => ({
          key: `bulk:${member.user.id}:${i + j}`,
          type: 'lesson.watched',
          userId: member.user.id,
          actorId: null,
          subject: `video-${i + j}`,
          occurredAt: new Date(at + i + j),
          processedAt: new Date(),
          attempts: 1,
          source: 'api',
          data: JSON.stringify({ position: i + j, note: 'x'.repeat(40) }),
        }))
      );
      await insertMany(strapi, strapi.db.connection, table.name, rows, {
        conflict: [table.col('userId'), table.col('key')],
      });
    }

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'export-')), 'export.json');
    const out = fs.createWriteStream(file);
    (global as any).gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    let bytes = 0;
    const res = await app
      .request()
      .get(`${API_PREFIX}/me/export`)
      .set('Authorization', `Bearer ${member.jwt}`)
      .buffer(false)
      .parse((response: any, done: (err: Error | null, body: unknown) => void) => {
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // Backpressure: the client holds no more than the file's buffer.
          if (!out.write(chunk)) {
            response.pause();
            out.once('drain', () => response.resume());
          }
        });
        response.on('end', () => out.end(() => done(null, null)));
      });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = peak - before;

    expect(res.status).toBe(200);
    // The whole document arrived, and is the member's 100k facts (read after measuring).
    expect(bytes).toBeGreaterThan(EVENTS * 100);
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    const bulk = doc.events.filter((e: { key: string }) => e.key.startsWith('bulk:'));
    expect(bulk).toHaveLength(EVENTS);
    expect(bulk[EVENTS - 1].key).toBe(`bulk:${member.user.id}:${EVENTS - 1}`);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    process.stdout.write(
      `export of ${EVENTS} facts: ${(bytes / 1e6).toFixed(1)} MB sent, peak RSS growth ${(growth / 1048576).toFixed(1)} MB\n`
    );
    expect(growth).toBeLessThanOrEqual(MAX_RSS_GROWTH);
  });
});
