// Renders a results file (default bench/results/latest.json) as the Markdown table of the README.
//   node bench/lib/markdown.mjs [file]
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';

const file =
  process.argv[2] ??
  path.join(path.dirname(fileURLToPath(import.meta.url)), '../results/latest.json');
const data = JSON.parse(fs.readFileSync(file, 'utf8'));
const esc = (s) => String(s ?? '').replace(/\|/g, '\\|');
const lines = ['| # | db | measure | figure | detail |', '|---|---|---|---|---|'];
for (const r of data.results) {
  if (r.error) {
    lines.push(`| ${r.id} | ${r.db ?? ''} | ERROR | ${esc(r.error)} | |`);
    continue;
  }
  for (const row of r.table ?? [])
    lines.push(`| ${r.id} | ${r.db ?? ''} | ${row.map(esc).join(' | ')} |`);
  const v = typeof r.bar.value === 'object' ? JSON.stringify(r.bar.value) : r.bar.value;
  lines.push(
    `| ${r.id} | ${r.db ?? ''} | **bar** ${esc(r.bar.text)} | ${esc(v)} | **${r.bar.met ? 'met' : 'not met'}** |`
  );
}
console.log(lines.join('\n'));
console.log(
  `\n${data.machine.cpus} × ${data.machine.model}, ${data.machine.memGb} GB, Node ${data.machine.node}; load average at the end ${data.machine.loadavg.join(' ')} (shared machine); git ${data.git}.`
);
