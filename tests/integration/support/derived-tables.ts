import type { TestApp } from '../helpers/strapi';

/**
 * The plugin's derived tables — achievements, progress, streaks — read as plain comparable rows,
 * wiped, and compared field by field. Derived means: recalculated from the ledger
 * (`plugin::achievements.event`) and the badges, which are neither read nor wiped here.
 */
export const DERIVED = {
  achievements: 'plugin::achievements.achievement',
  progress: 'plugin::achievements.progress',
  streaks: 'plugin::achievements.streak',
} as const;
export type DerivedTable = keyof typeof DERIVED;

type Value = string | number | boolean | null | Record<string, unknown>;
export type Row = Record<string, Value>;
export type Snapshot = Record<DerivedTable, Map<string, Row>>;

/** One field of one row that differs: the table, the row (member · badge #sequence), both values. */
export interface Mismatch {
  table: DerivedTable;
  row: string;
  field: string;
  live: unknown;
  recalculated: unknown;
}

const table = (app: TestApp, uid: string) => {
  const meta = app.strapi.db.metadata.get(uid as any);
  return {
    name: meta.tableName as string,
    col: (attr: string): string => (meta.attributes as any)[attr]?.columnName ?? attr,
  };
};

/**
 * Representation only, never values: an instant as ISO 8601 whether the driver gives a Date
 * (PostgreSQL, MariaDB), epoch ms (SQLite) or a string; integers as numbers (some drivers give
 * counts as strings); JSON parsed when the driver gives its text.
 */
const instant = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const ms = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v as string | number | Date);
  return new Date(ms).toISOString();
};
const int = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = (v: unknown): Record<string, unknown> | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : (v as any);
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * Live awards cite the ledger event by its key, a recalculation by `ledger:<id>`: two names of
 * one ledger row. Both are turned into the row's key, so what is compared is which fact earned
 * the award (a name that is neither stays as it is). documentIds in the key read as the
 * history's names for them.
 */
const ledgerKeyOf = async (app: TestApp, documents: Map<string, string>) => {
  const t = table(app, 'plugin::achievements.event');
  const rows = await app.strapi.db.connection(t.name).select('id', t.col('key'));
  const byId = new Map<number, string>(rows.map((r: any) => [Number(r.id), r[t.col('key')]]));
  const named = (key: string) =>
    key
      .split(':')
      .map((part) => documents.get(part) ?? part)
      .join(':');
  return (source: string | null): string | null => {
    const id = source?.match(/^ledger:(\d+)$/)?.[1];
    const key = id === undefined ? source : (byId.get(Number(id)) ?? source);
    return key === null ? null : named(key);
  };
};

/**
 * Every row of the three derived tables, keyed by who and what (`ada · first-post #1`), its
 * fields normalised for comparison. `names` turns ids into the member and badge names the
 * history uses, so a mismatch reads as the history does.
 */
export const snapshotDerived = async (
  app: TestApp,
  names: {
    members: Map<number, string>;
    badges: Map<number, string>;
    /** documentId → the history's name for it, shown in the ledger keys awards cite */
    documents?: Map<string, string>;
  }
): Promise<Snapshot> => {
  const knex = app.strapi.db.connection;
  const member = (id: unknown) => names.members.get(Number(id)) ?? `member ${id}`;
  const badge = (id: unknown) => names.badges.get(Number(id)) ?? `badge ${id}`;
  const ledgerKey = await ledgerKeyOf(app, names.documents ?? new Map());

  const a = table(app, DERIVED.achievements);
  const achievements = new Map<string, Row>();
  for (const r of await knex(a.name).select('*')) {
    const evidence = json(r[a.col('evidence')]);
    if (evidence && typeof evidence.event === 'string')
      evidence.event = ledgerKey(evidence.event as string);
    achievements.set(
      `${member(r[a.col('userId')])} · ${badge(r[a.col('badgeId')])} #${r[a.col('sequence')]}`,
      {
        userId: int(r[a.col('userId')]),
        badgeId: int(r[a.col('badgeId')]),
        sequence: int(r[a.col('sequence')]),
        earnedAt: instant(r[a.col('earnedAt')]),
        revokedAt: instant(r[a.col('revokedAt')]),
        revokeReason: text(r[a.col('revokeReason')]),
        revokedBy: text(r[a.col('revokedBy')]),
        awardedBy: text(r[a.col('awardedBy')]),
        sourceEvent: ledgerKey(text(r[a.col('sourceEvent')])),
        evidence,
      }
    );
  }

  const p = table(app, DERIVED.progress);
  const progress = new Map<string, Row>();
  for (const r of await knex(p.name).select('*'))
    progress.set(`${member(r[p.col('userId')])} · ${badge(r[p.col('badgeId')])}`, {
      userId: int(r[p.col('userId')]),
      badgeId: int(r[p.col('badgeId')]),
      current: int(r[p.col('current')]),
      target: int(r[p.col('target')]),
    });

  const s = table(app, DERIVED.streaks);
  const streaks = new Map<string, Row>();
  for (const r of await knex(s.name).select('*'))
    streaks.set(member(r[s.col('userId')]), {
      userId: int(r[s.col('userId')]),
      current: int(r[s.col('current')]),
      longest: int(r[s.col('longest')]),
      lastActiveAt: instant(r[s.col('lastActiveAt')]),
      lastActiveDay: text(r[s.col('lastActiveDay')]),
      timezone: text(r[s.col('timezone')]),
      freezesUsed: int(r[s.col('freezesUsed')]),
      freezesMonth: text(r[s.col('freezesMonth')]),
    });

  return { achievements, progress, streaks };
};

/** Deletes every achievement, progress and streak row; the ledger and the badges stay. */
export const wipeDerived = async (app: TestApp) => {
  for (const uid of Object.values(DERIVED))
    await app.strapi.db.connection(table(app, uid).name).del();
};

/** JSON with object keys sorted (PostgreSQL's jsonb, for one, reorders them). */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)))
      : value
  );

/**
 * Every difference between two snapshots, field by field: a row only one side has is one
 * mismatch on the field `(row)`, with the row on the side that has it and null on the other.
 */
export const mismatches = (live: Snapshot, recalculated: Snapshot): Mismatch[] => {
  const out: Mismatch[] = [];
  for (const name of Object.keys(DERIVED) as DerivedTable[]) {
    const before = live[name];
    const after = recalculated[name];
    const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
    for (const row of keys) {
      const l = before.get(row);
      const r = after.get(row);
      if (!l || !r) {
        out.push({ table: name, row, field: '(row)', live: l ?? null, recalculated: r ?? null });
        continue;
      }
      for (const field of Object.keys(l))
        if (canonical(l[field]) !== canonical(r[field]))
          out.push({ table: name, row, field, live: l[field], recalculated: r[field] });
    }
  }
  return out;
};
