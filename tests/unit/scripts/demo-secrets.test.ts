import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import SECRET_NAMES from '../../../scripts/lib/secret-names.json';

/** scripts/lib/env.mjs (ESM), run the way demo.mjs runs it: in a Node child process. */
const REPO_ROOT = path.resolve(__dirname, '../../..');
const ensure = (file: string): string[] => {
  const script = `import('${path.join(REPO_ROOT, 'scripts/lib/env.mjs')}')
    .then((m) => console.log(JSON.stringify(m.ensureSecretsFile(process.argv[1]))))`;
  const run = spawnSync(process.execPath, ['-e', script, file], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
};
const NAMES = [...SECRET_NAMES, 'ACHIEVEMENTS_CREDENTIALS_SECRET'];
const parse = (file: string) =>
  Object.fromEntries(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
  );

describe('npm run demo: the academy secrets file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-secrets-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the first run writes every secret, random, readable by its owner only', () => {
    const file = path.join(dir, '.env');
    expect(ensure(file).sort()).toEqual([...NAMES].sort());
    const first = parse(file);
    expect(Object.keys(first).sort()).toEqual([...NAMES].sort());
    expect(first.APP_KEYS.split(',')).toHaveLength(4);
    for (const value of Object.values(first)) expect(value.length).toBeGreaterThanOrEqual(24);
    // The plugin refuses a credentials secret under 32 characters.
    expect(first.ACHIEVEMENTS_CREDENTIALS_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const other = path.join(dir, 'other.env');
    ensure(other);
    expect(parse(other).JWT_SECRET).not.toBe(first.JWT_SECRET);
  });

  it('a second run keeps the secrets and fills in only what is missing or empty', () => {
    const file = path.join(dir, '.env');
    fs.writeFileSync(file, 'PORT=1400\nJWT_SECRET=mine-and-long-enough-1234\nAPP_KEYS=\n');
    expect(ensure(file).sort()).toEqual(NAMES.filter((n) => n !== 'JWT_SECRET').sort());
    const values = parse(file);
    expect(values.PORT).toBe('1400');
    expect(values.JWT_SECRET).toBe('mine-and-long-enough-1234');
    expect(values.APP_KEYS).not.toBe('');
    const before = fs.readFileSync(file, 'utf8');
    expect(ensure(file)).toEqual([]);
    expect(fs.readFileSync(file, 'utf8')).toBe(before);
  });

  it('the file it writes is git-ignored', () => {
    const res = spawnSync('git', ['check-ignore', '-q', 'examples/lms-academy/.env'], {
      cwd: REPO_ROOT,
    });
    expect(res.status).toBe(0);
  });
});
