// Small statistics helpers: every figure the suite prints is a median or a p99 over samples.
export const quantile = (xs, q) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
};
export const median = (xs) => quantile(xs, 0.5);
export const p99 = (xs) => quantile(xs, 0.99);
export const summary = (xs) => ({
  n: xs.length,
  median: round(median(xs)),
  p99: round(p99(xs)),
  min: round(Math.min(...xs)),
  max: round(Math.max(...xs)),
});
export const round = (x, d = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);
export const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
export const now = () => process.hrtime.bigint();
/** BENCH_SCALE multiplies the default sizes (1 = the default, bounded run). */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
export const scaled = (n, min = 1) => Math.max(min, Math.round(n * SCALE));
