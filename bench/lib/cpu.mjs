// Machine-wide CPU use between two instants (/proc/stat), to tell a saturated machine apart.
import fs from 'fs';
const read = () => {
  try {
    const f = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
};
export const cpuMeter = () => {
  const a = read();
  return () => {
    const b = read();
    if (!a || !b) return null;
    const busy = 1 - (b.idle - a.idle) / (b.total - a.total);
    return Math.round(busy * 1000) / 10;
  };
};

/** A process's CPU time so far (ms, /proc): CPU per request is robust to other load. */
export const cpuMs = (pid) => {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
};
