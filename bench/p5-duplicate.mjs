// P5 — a duplicate event vs a first-time event, through the ledger service (events.record),
// side by side in interleaved rounds on one booted app. A first-time event costs its record()
// plus the engine's work on it (measured until the ledger is drained); a duplicate costs record().
import { createDatabase, boot, setEnabled, achievements } from './lib/app.mjs';
import { createMembers } from './lib/seed.mjs';
import { median, p99, round, scaled, ms, now } from './lib/stats.mjs';

const client = process.env.BENCH_DB ?? 'sqlite';
const db = await createDatabase(client);
let strapi;
try {
  strapi = await boot(db.env);
  await setEnabled(strapi, true);
  const members = await createMembers(strapi, 20);
  const events = achievements(strapi, 'events');
  const engine = achievements(strapi, 'evaluator');
  await engine.drain();
  const perRound = scaled(200, 20);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  let seq = 0;
  const recorded = [];
  const first = { wall: [], call: [], drain: [] };
  const dup = { wall: [], call: [] };
  const runFirst = async () => {
    const t0 = now();
    for (let i = 0; i < perRound; i++) {
      const m = members[seq % members.length];
      const input = {
        type: 'lesson.completed',
        userId: m.id,
        key: `bench:first:${seq}`,
        subject: `lesson-${seq}`,
        source: 'api',
      };
      seq++;
      const c0 = now();
      const r = await events.record(input);
      first.call.push(ms(c0));
      if (!r.accepted || r.duplicate) throw new Error('first-time event not accepted');
      recorded.push(input);
    }
    const d0 = now();
    await engine.drain();
    first.drain.push(ms(d0) / perRound);
    first.wall.push(ms(t0) / perRound);
  };
  const runDup = async () => {
    const t0 = now();
    for (let i = 0; i < perRound; i++) {
      const input = recorded[Math.floor(Math.random() * recorded.length)];
      const c0 = now();
      const r = await events.record(input);
      dup.call.push(ms(c0));
      if (!r.duplicate) throw new Error('duplicate not detected');
    }
    dup.wall.push(ms(t0) / perRound);
  };
  await runFirst(); // warm-up, also gives the duplicates something to repeat
  first.wall.length = first.call.length = first.drain.length = 0;
  await runDup();
  dup.wall.length = dup.call.length = 0;
  for (let r = 0; r < rounds; r++) {
    if (r % 2) {
      await runFirst();
      await runDup();
    } else {
      await runDup();
      await runFirst();
    }
  }
  const t = tableRows(strapi);
  const result = {
    id: 'P5',
    title: `duplicate vs first-time event (events.record, ${client})`,
    db: client,
    scale: {
      eventsPerRoundPerSide: perRound,
      rounds,
      members: members.length,
      ledgerRows: await t.events(),
      achievements: await t.achievements(),
    },
    firstTime: {
      msPerEvent: { median: round(median(first.wall)), p99: round(p99(first.wall)) },
      recordCallMs: { median: round(median(first.call)), p99: round(p99(first.call)) },
      engineMsPerEvent: { median: round(median(first.drain)) },
    },
    duplicate: {
      msPerEvent: { median: round(median(dup.wall)), p99: round(p99(dup.wall)) },
      recordCallMs: { median: round(median(dup.call)), p99: round(p99(dup.call)) },
    },
  };
  result.ratio = round(result.firstTime.msPerEvent.median / result.duplicate.msPerEvent.median, 2);
  result.ratioRecordCallOnly = round(
    result.firstTime.recordCallMs.median / result.duplicate.recordCallMs.median,
    2
  );
  result.table = [
    [
      'first-time event',
      `${result.firstTime.msPerEvent.median} ms/event (p99 of rounds ${result.firstTime.msPerEvent.p99})`,
      `record() call p50 ${result.firstTime.recordCallMs.median} ms p99 ${result.firstTime.recordCallMs.p99} ms; engine ${result.firstTime.engineMsPerEvent.median} ms/event`,
    ],
    [
      'duplicate event',
      `${result.duplicate.msPerEvent.median} ms/event (p99 of rounds ${result.duplicate.msPerEvent.p99})`,
      `record() call p50 ${result.duplicate.recordCallMs.median} ms p99 ${result.duplicate.recordCallMs.p99} ms`,
    ],
    [
      'first ÷ duplicate',
      `${result.ratio}x`,
      `record() call alone: ${result.ratioRecordCallOnly}x`,
    ],
  ];
  result.bar = {
    text: 'duplicate >= 10x cheaper than a first-time event',
    value: result.ratio,
    met: result.ratio >= 10,
  };
  if (process.send) process.send({ result });
  else console.log(JSON.stringify(result, null, 2));
} finally {
  await strapi?.destroy().catch(() => {});
  await db.drop();
}

function tableRows(strapi) {
  const k = strapi.db.connection;
  const count = async (uid) =>
    Number((await k(strapi.db.metadata.get(uid).tableName).count({ n: '*' }))[0].n);
  return {
    events: () => count('plugin::achievements.event'),
    achievements: () => count('plugin::achievements.achievement'),
  };
}
process.exit(0);
