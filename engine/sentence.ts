/**
 * The English sentence shown on a locked badge ("Complete 5 lessons").
 */
import type { BadgesCriteria, CountCriteria, Criteria } from './criteria';

export interface EventPhrase {
  verb: string;
  noun: string;
  plural?: string;
}

export const DEFAULT_EVENT_PHRASES: Record<string, EventPhrase> = {
  'lesson.completed': { verb: 'Complete', noun: 'lesson' },
  'module.completed': { verb: 'Complete', noun: 'module' },
  'course.completed': { verb: 'Complete', noun: 'course' },
  'post.published': { verb: 'Publish', noun: 'post' },
  'comment.created': { verb: 'Write', noun: 'comment' },
  'comment.helpful': { verb: 'Give', noun: 'helpful answer' },
  'reaction.received': { verb: 'Receive', noun: 'reaction' },
};

export const DEFAULT_PROFILE_FIELD_LABELS: Record<string, string> = {
  avatar: 'a profile picture',
  bio: 'a bio',
  socialLinks: 'social links',
  timezone: 'your timezone',
};

export interface DescribeOptions {
  eventPhrases?: Record<string, EventPhrase>;
  categoryNames?: Record<string, string>;
  badgeNames?: Record<string, string>;
  profileFieldLabels?: Record<string, string>;
}

const fmt = (n: number) => n.toLocaleString('en-US');

const lookup = <T>(table: Record<string, T> | undefined, key: string): T | undefined =>
  table && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;

/** 'a' or 'an' by sound, good enough for nouns editors write. */
export function article(word: string): 'a' | 'an' {
  const w = word.replace(/^[^A-Za-z0-9]+/, '').toLowerCase();
  if (/^(hour|honest|honou?r|heir)/.test(w)) return 'an';
  if (/^(uni|use|usu|uti|eu|one|once)/.test(w)) return 'a';
  return /^[aeiou]/.test(w) ? 'an' : 'a';
}

/** Plural of the last word of a noun phrase. */
export function pluralize(noun: string): string {
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(noun)) return `${noun}es`;
  return `${noun}s`;
}

const lowerFirst = (s: string) => (s ? s[0].toLowerCase() + s.slice(1) : s);
const upperFirst = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** "a", "a and b", "a, b and c" */
export function joinAnd(items: string[], conj = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conj} ${items[items.length - 1]}`;
}

function phraseFor(event: string, opts: DescribeOptions): Required<EventPhrase> {
  const p = lookup(opts.eventPhrases, event) ?? lookup(DEFAULT_EVENT_PHRASES, event);
  if (p) return { verb: p.verb, noun: p.noun, plural: p.plural ?? pluralize(p.noun) };
  // Unknown events still get a truthful, if technical, sentence.
  return { verb: 'Record', noun: `"${event}" event`, plural: `"${event}" events` };
}

function describeCount(c: CountCriteria, opts: DescribeOptions): string {
  const events = Array.isArray(c.event) ? c.event : [c.event];
  const n = c.threshold;
  const phrases = events.map((e) => phraseFor(e, opts));
  let text: string;
  if (c.distinct === 'day' && n > 1) {
    text =
      phrases.length === 1
        ? `${phrases[0].verb} ${article(phrases[0].noun)} ${phrases[0].noun} on ${fmt(n)} different days`
        : `Be active on ${fmt(n)} different days`;
  } else if (phrases.length === 1 || phrases.every((p) => p.verb === phrases[0].verb)) {
    // One verb: "Complete 5 lessons", "Complete 5 lessons or modules" (counted together).
    const verb = phrases[0].verb;
    const different = c.distinct === 'subject' && n > 1 ? 'different ' : '';
    const nouns = n === 1 ? phrases.map((p) => p.noun) : phrases.map((p) => p.plural);
    const quantity = n === 1 ? article(different || nouns[0]) : fmt(n);
    text = `${verb} ${quantity} ${different}${joinAnd(nouns, 'or')}`;
  } else {
    const acts = phrases.map(
      (p, i) => `${i === 0 ? p.verb : lowerFirst(p.verb)} ${article(p.noun)} ${p.noun}`
    );
    text = joinAnd(acts, 'or');
    if (n > 1) text += ` ${fmt(n)} times`;
  }
  if (c.distinct === 'actor' && n > 1) text += ' from different members';
  if (c.withinDays !== undefined) {
    text += c.withinDays === 1 ? ' within a day' : ` within ${fmt(c.withinDays)} days`;
  }
  return text;
}

function humanizeField(field: string): string {
  return `your ${field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase()}`;
}

function categoryName(slug: string, opts: DescribeOptions): string {
  return lookup(opts.categoryNames, slug) ?? upperFirst(slug.replace(/-/g, ' '));
}

function describeBadges(c: BadgesCriteria, opts: DescribeOptions): string {
  const inCategory = c.category ? ` in ${categoryName(c.category, opts)}` : '';
  if (c.badges && c.badges.length > 0) {
    const names = c.badges.map((s) => `"${lookup(opts.badgeNames, s) ?? s}"`);
    if (c.count === undefined || c.count >= names.length) {
      return names.length === 1
        ? `Earn the ${names[0]} badge${inCategory}`
        : `Earn the badges ${joinAnd(names)}${inCategory}`;
    }
    return `Earn ${c.count === 1 ? 'one' : fmt(c.count)} of ${joinAnd(names, 'or')}${inCategory}`;
  }
  if (c.count === undefined) return `Earn every badge${inCategory}`;
  return c.count === 1 ? `Earn a badge${inCategory}` : `Earn ${fmt(c.count)} badges${inCategory}`;
}

/** The sentence for a locked badge. */
export function describeCriteria(c: Criteria, opts: DescribeOptions = {}): string {
  switch (c.type) {
    case 'count':
      return describeCount(c, opts);
    case 'profile': {
      const labels = c.fields.map(
        (f) =>
          lookup(opts.profileFieldLabels, f) ??
          lookup(DEFAULT_PROFILE_FIELD_LABELS, f) ??
          humanizeField(f)
      );
      return `Add ${joinAnd(labels)}`;
    }
    case 'streak':
      return `Keep a ${fmt(c.days)}-day learning streak`;
    case 'badges':
      return describeBadges(c, opts);
    case 'points':
      return `Reach ${fmt(c.threshold)} ${c.threshold === 1 ? 'point' : 'points'}`;
    case 'all':
    case 'any': {
      // A group of one reads as its only child.
      if (c.of.length === 1) return describeCriteria(c.of[0], opts);
      const parts = c.of.map((child) => {
        const s = describeCriteria(child, opts);
        return child.type === 'all' || child.type === 'any' ? `(${s})` : s;
      });
      return `${c.type === 'all' ? 'Do all of' : 'Do one of'}: ${parts.join('; ')}`;
    }
    case 'manual':
      return 'Awarded by an admin';
    default:
      return 'Unknown criteria';
  }
}
