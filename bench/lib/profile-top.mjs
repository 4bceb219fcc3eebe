// Prints the top self-time functions of a .cpuprofile (node --cpu-prof): where the time goes.
import fs from 'fs';
export const topOf = (file, n = 15) => {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8'));
  const self = new Map();
  const dt = prof.timeDeltas;
  const byId = new Map(prof.nodes.map((x) => [x.id, x]));
  const hits = new Map();
  prof.samples.forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (dt[i] ?? 0)));
  let total = 0;
  for (const [id, t] of hits) {
    const node = byId.get(id);
    const cf = node.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + t);
    total += t;
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => ({
      fn: k,
      selfMs: Math.round(t / 1000),
      pct: Math.round((1000 * t) / total) / 10,
    }));
};
if (process.argv[1] && process.argv[1].endsWith('profile-top.mjs'))
  console.table(topOf(process.argv[2], Number(process.argv[3] ?? 20)));
