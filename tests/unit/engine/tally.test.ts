import { Tally } from '../../../engine/tally';
import type { LedgerEvent } from '../../../engine/tally';

const T0 = Date.parse('2026-01-10T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const retractions = {
  'post.retracted': 'post.published',
  'reaction.withdrawn': 'reaction.received',
};

const ev = (type: string, occurredAt: number, extra: Partial<LedgerEvent> = {}): LedgerEvent => ({
  type,
  userId: 1,
  occurredAt,
  ...extra,
});

describe('Tally: retractions', () => {
  const posts = { event: 'post.published' };

  it('publish → retract → 0; a new publish counts again', () => {
    const t = new Tally({ retractions });
    t.apply(ev('post.published', T0, { subject: 'p1' }));
    expect(t.count(posts, T0)).toBe(1);
    t.apply(ev('post.retracted', T0 + HOUR, { subject: 'p1' }));
    expect(t.count(posts, T0)).toBe(0);
    t.apply(ev('post.published', T0 + 2 * HOUR, { subject: 'p1' }));
    expect(t.count(posts, T0)).toBe(1);
  });

  it('only cancels the same subject', () => {
    const t = new Tally({ retractions });
    t.apply(ev('post.published', T0, { subject: 'p1' }));
    t.apply(ev('post.published', T0, { subject: 'p2' }));
    t.apply(ev('post.retracted', T0 + HOUR, { subject: 'p2' }));
    expect(t.count(posts, T0)).toBe(1);
    expect(t.count({ ...posts, distinct: 'subject' }, T0)).toBe(1);
  });

  it('a retraction applied before an older publish still cancels it', () => {
    const t = new Tally({ retractions });
    t.apply(ev('post.retracted', T0 + HOUR, { subject: 'p1' }));
    t.apply(ev('post.published', T0, { subject: 'p1' }));
    expect(t.count(posts, T0)).toBe(0);
    // ...but not a publish that happened after it.
    t.apply(ev('post.published', T0 + 2 * HOUR, { subject: 'p1' }));
    expect(t.count(posts, T0)).toBe(1);
  });

  it('gives the same result whatever the apply order', () => {
    const events = [
      ev('post.published', T0, { subject: 'a' }),
      ev('post.retracted', T0 + 1, { subject: 'a' }),
      ev('post.published', T0 + 2, { subject: 'a' }),
      ev('post.published', T0 + 3, { subject: 'b' }),
      ev('post.retracted', T0 + 4, { subject: 'b' }),
      ev('post.published', T0 + 5, { subject: 'c' }),
    ];
    const orders = [events, [...events].reverse(), [3, 1, 5, 0, 4, 2].map((i) => events[i])];
    for (const order of orders) {
      const t = new Tally({ retractions });
      // Ask once first so the live counter exists before the events arrive.
      expect(t.count(posts, T0)).toBe(0);
      order.forEach((e) => t.apply(e));
      expect(t.count(posts, T0)).toBe(2);
      expect(t.count({ ...posts, distinct: 'subject' }, T0)).toBe(2);
    }
  });

  it('withdrawn reactions stop counting toward distinct actors', () => {
    const t = new Tally({ retractions });
    const spec = { event: 'reaction.received', distinct: 'actor' as const };
    t.apply(ev('reaction.received', T0, { subject: 'r1', actorId: 2 }));
    t.apply(ev('reaction.received', T0, { subject: 'r2', actorId: 3 }));
    expect(t.count(spec, T0)).toBe(2);
    t.apply(ev('reaction.withdrawn', T0 + 1, { subject: 'r2', actorId: 3 }));
    expect(t.count(spec, T0)).toBe(1);
  });
});

describe('Tally: distinct, where, withinDays', () => {
  it('distinct subject counts each subject once', () => {
    const t = new Tally();
    for (const s of ['l1', 'l2', 'l1', 'l3', 'l2'])
      t.apply(ev('lesson.completed', T0, { subject: s }));
    expect(t.count({ event: 'lesson.completed' }, T0)).toBe(5);
    expect(t.count({ event: 'lesson.completed', distinct: 'subject' }, T0)).toBe(3);
  });

  it('distinct actor counts each member once and ignores events without an actor', () => {
    const t = new Tally();
    for (const a of [2, 3, 2, null, 4]) {
      t.apply(ev('reaction.received', T0, { subject: `r${a}`, actorId: a }));
    }
    expect(t.count({ event: 'reaction.received', distinct: 'actor' }, T0)).toBe(3);
  });

  it('counts several events together, and distinct days across them', () => {
    const t = new Tally({ timezone: 'UTC' });
    t.apply(ev('lesson.completed', T0));
    t.apply(ev('post.published', T0 + HOUR, { subject: 'p' }));
    t.apply(ev('comment.created', T0 + DAY));
    t.apply(ev('reaction.received', T0 + 2 * DAY));
    const events = ['lesson.completed', 'post.published', 'comment.created'];
    expect(t.count({ event: events }, T0)).toBe(3);
    expect(t.count({ event: events, distinct: 'day' }, T0)).toBe(2);
    t.apply(ev('lesson.completed', T0 + 5 * DAY));
    expect(t.count({ event: events, distinct: 'day' }, T0)).toBe(3);
  });

  it('where matches data fields exactly', () => {
    const t = new Tally();
    t.apply(ev('comment.created', T0, { data: { helpful: true } }));
    t.apply(ev('comment.created', T0, { data: { helpful: false } }));
    t.apply(ev('comment.created', T0, { data: { helpful: 'true' } }));
    t.apply(ev('comment.created', T0));
    t.apply(ev('comment.created', T0, { data: { helpful: true, lang: 'en' } }));
    expect(t.count({ event: 'comment.created', where: { helpful: true } }, T0)).toBe(2);
    expect(t.count({ event: 'comment.created', where: { helpful: true, lang: 'en' } }, T0)).toBe(1);
    expect(t.count({ event: 'comment.created', where: { lang: null } }, T0)).toBe(0);
  });

  it('withinDays counts only occurrences after now - days', () => {
    const t = new Tally();
    const now = T0 + 10 * DAY;
    t.apply(ev('lesson.completed', now - 7 * DAY)); // exactly on the edge: outside
    t.apply(ev('lesson.completed', now - 7 * DAY + 1));
    t.apply(ev('lesson.completed', now - DAY, { subject: 'x' }));
    t.apply(ev('lesson.completed', now - HOUR, { subject: 'x' }));
    expect(t.count({ event: 'lesson.completed', withinDays: 7 }, now)).toBe(3);
    expect(t.count({ event: 'lesson.completed', withinDays: 7, distinct: 'subject' }, now)).toBe(1);
    expect(t.count({ event: 'lesson.completed', withinDays: 7 }, now + 6 * DAY)).toBe(1);
    expect(t.count({ event: 'lesson.completed' }, now + 100 * DAY)).toBe(4);
  });
});

describe('Tally: local days', () => {
  const spec = { event: 'lesson.completed', distinct: 'day' as const };
  const at = (iso: string) => ev('lesson.completed', Date.parse(iso));

  it('splits days at Auckland midnight, not at UTC or Los Angeles midnight', () => {
    const akl = new Tally({ timezone: 'Pacific/Auckland' });
    const lax = new Tally({ timezone: 'America/Los_Angeles' });
    // 10:30Z = 23:30 Jan 10 in Auckland (NZDT, +13); 11:30Z = 00:30 Jan 11 there.
    // In Los Angeles (PST, -8) both are early on Jan 10.
    for (const e of [at('2026-01-10T10:30:00Z'), at('2026-01-10T11:30:00Z')]) {
      akl.apply(e);
      lax.apply(e);
    }
    expect(akl.count(spec, T0)).toBe(2);
    expect(lax.count(spec, T0)).toBe(1);
  });

  it('splits days at Los Angeles midnight, not at Auckland midnight', () => {
    const akl = new Tally({ timezone: 'Pacific/Auckland' });
    const lax = new Tally({ timezone: 'America/Los_Angeles' });
    // 07:30Z = 23:30 Jan 9 in LA; 08:30Z = 00:30 Jan 10. Auckland: 20:30 and 21:30 Jan 10.
    for (const e of [at('2026-01-10T07:30:00Z'), at('2026-01-10T08:30:00Z')]) {
      akl.apply(e);
      lax.apply(e);
    }
    expect(lax.count(spec, T0)).toBe(2);
    expect(akl.count(spec, T0)).toBe(1);
  });

  it('falls back to UTC for an unknown timezone', () => {
    const t = new Tally({ timezone: 'Mars/Olympus_Mons' });
    expect(t.timezone).toBe('UTC');
    t.apply(at('2026-01-10T23:30:00Z'));
    t.apply(at('2026-01-11T00:30:00Z'));
    expect(t.count(spec, T0)).toBe(2);
  });
});

describe('Tally: profile', () => {
  it('keeps the latest profile.updated by occurredAt', () => {
    const t = new Tally();
    t.apply(ev('profile.updated', T0 + 2, { data: { fields: { avatar: true, bio: true } } }));
    t.apply(ev('profile.updated', T0 + 1, { data: { fields: { avatar: false } } }));
    expect(t.profile).toEqual({ avatar: true, bio: true });
    t.apply(ev('profile.updated', T0 + 3, { data: { fields: { avatar: true, bio: false } } }));
    expect(t.profile).toEqual({ avatar: true, bio: false });
  });
});

describe('Tally: retraction without a subject', () => {
  it('cancels nothing, since it cannot say what it retracts', () => {
    const t = new Tally({ retractions });
    t.apply(ev('post.published', T0, { subject: 'p1' }));
    t.apply(ev('post.retracted', T0 + 1));
    expect(t.count({ event: 'post.published' }, T0)).toBe(1);
  });
});
