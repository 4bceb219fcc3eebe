import type { Criteria } from '../../../engine/criteria';

/** The default catalog (README: "Install into your own Strapi 5 app", step 3). Editable afterwards. */
export interface SeedCategory {
  slug: string;
  name: string;
  description: string;
  sortOrder: number;
}

export interface SeedBadge {
  slug: string;
  name: string;
  description: string;
  category: string;
  tier: 'bronze' | 'silver' | 'gold' | 'platinum';
  points: number;
  criteria: Criteria;
  secret?: boolean;
  autoRevoke?: boolean;
}

export const DEFAULT_CATEGORIES: SeedCategory[] = [
  { slug: 'profile', name: 'Profile', description: 'Make your profile your own.', sortOrder: 1 },
  { slug: 'courses', name: 'Courses', description: 'Learn, finish and keep going.', sortOrder: 2 },
  {
    slug: 'community',
    name: 'Community',
    description: 'Share, discuss and help others.',
    sortOrder: 3,
  },
  {
    slug: 'engagement',
    name: 'Engagement',
    description: 'Milestones across the academy.',
    sortOrder: 4,
  },
];

const ACTIVITY = [
  'lesson.completed',
  'module.completed',
  'course.completed',
  'post.published',
  'comment.created',
];

export const DEFAULT_BADGES: SeedBadge[] = [
  {
    slug: 'profile-picture',
    name: 'Say cheese',
    description: 'Add a profile picture.',
    category: 'profile',
    tier: 'bronze',
    points: 25,
    criteria: { type: 'profile', fields: ['avatar'] },
  },
  {
    slug: 'complete-bio',
    name: 'Storyteller',
    description: 'Tell others about yourself in your bio.',
    category: 'profile',
    tier: 'bronze',
    points: 25,
    criteria: { type: 'profile', fields: ['bio'] },
  },
  {
    slug: 'social-links',
    name: 'Connected',
    description: 'Add links to where people can find you.',
    category: 'profile',
    tier: 'bronze',
    points: 25,
    criteria: { type: 'profile', fields: ['socialLinks'] },
  },
  {
    slug: 'complete-profile',
    name: 'All about me',
    description: 'Complete your profile: picture, bio and social links.',
    category: 'profile',
    tier: 'silver',
    points: 50,
    criteria: { type: 'profile', fields: ['avatar', 'bio', 'socialLinks'] },
  },
  {
    slug: 'first-lesson',
    name: 'First steps',
    description: 'Finish your first lesson.',
    category: 'courses',
    tier: 'bronze',
    points: 25,
    criteria: { type: 'count', event: 'lesson.completed', threshold: 1 },
  },
  {
    slug: 'module-complete',
    name: 'Module master',
    description: 'Complete every lesson of a module.',
    category: 'courses',
    tier: 'silver',
    points: 50,
    criteria: { type: 'count', event: 'module.completed', threshold: 1 },
  },
  {
    slug: 'course-complete',
    name: 'Graduate',
    description: 'Complete a whole course.',
    category: 'courses',
    tier: 'gold',
    points: 100,
    criteria: { type: 'count', event: 'course.completed', threshold: 1 },
  },
  {
    slug: 'streak-3',
    name: 'Warming up',
    description: 'Learn three days in a row.',
    category: 'courses',
    tier: 'bronze',
    points: 25,
    criteria: { type: 'streak', days: 3 },
  },
  {
    slug: 'streak-7',
    name: 'On a roll',
    description: 'Learn seven days in a row.',
    category: 'courses',
    tier: 'silver',
    points: 50,
    criteria: { type: 'streak', days: 7 },
  },
  {
    slug: 'streak-30',
    name: 'Unstoppable',
    description: 'Learn thirty days in a row.',
    category: 'courses',
    tier: 'gold',
    points: 100,
    criteria: { type: 'streak', days: 30 },
  },
  {
    slug: 'first-post',
    name: 'Hello, world',
    description: 'Publish your first post.',
    category: 'community',
    tier: 'bronze',
    points: 25,
    criteria: { type: 'count', event: 'post.published', threshold: 1 },
  },
  {
    slug: 'commenter',
    name: 'Conversationalist',
    description: 'Comment in discussions ten times.',
    category: 'community',
    tier: 'silver',
    points: 50,
    criteria: { type: 'count', event: 'comment.created', threshold: 10 },
  },
  {
    slug: 'helpful',
    name: 'Helping hand',
    description: 'Have three of your answers marked helpful.',
    category: 'community',
    tier: 'silver',
    points: 50,
    criteria: { type: 'count', event: 'comment.helpful', threshold: 3 },
  },
  {
    slug: 'reactions-10',
    name: 'Crowd pleaser',
    description: 'Receive reactions from ten different members.',
    category: 'community',
    tier: 'silver',
    points: 50,
    autoRevoke: true,
    criteria: { type: 'count', event: 'reaction.received', threshold: 10, distinct: 'actor' },
  },
  {
    slug: 'reactions-50',
    name: 'Fan favourite',
    description: 'Receive reactions from fifty different members.',
    category: 'community',
    tier: 'gold',
    points: 100,
    autoRevoke: true,
    criteria: { type: 'count', event: 'reaction.received', threshold: 50, distinct: 'actor' },
  },
  {
    slug: 'five-badges',
    name: 'Collector',
    description: 'Earn five badges.',
    category: 'engagement',
    tier: 'silver',
    points: 50,
    criteria: { type: 'badges', count: 5 },
  },
  {
    slug: 'points-1000',
    name: 'High scorer',
    description: 'Reach 1,000 points.',
    category: 'engagement',
    tier: 'gold',
    points: 100,
    criteria: { type: 'points', threshold: 1000 },
  },
  {
    slug: 'active-30-days',
    name: 'Regular',
    description: 'Be active on thirty different days.',
    category: 'engagement',
    tier: 'gold',
    points: 100,
    criteria: { type: 'count', event: ACTIVITY, threshold: 30, distinct: 'day' },
  },
  {
    slug: 'completionist',
    name: 'Completionist',
    description: 'Earn every badge in Courses.',
    category: 'engagement',
    tier: 'platinum',
    points: 250,
    secret: true,
    criteria: { type: 'badges', category: 'courses' },
  },
];

/** What the app can produce: the default badges worth seeding depend on it. */
export interface AppAbilities {
  /** Event types some trigger, externalEvents or the profile watcher produces. */
  events: ReadonlySet<string>;
  profileFields: readonly string[];
  streakEvents: readonly string[];
}

/**
 * The default badges a member of this app can earn, with event lists narrowed to the events the
 * app produces. Left out: a count badge none of whose events the app produces, a profile badge
 * whose fields the user model lacks, streak badges when no event counts toward a streak, and a
 * meta badge with fewer badges to collect than it asks for.
 */
export const earnableDefaults = (badges: readonly SeedBadge[], app: AppAbilities): SeedBadge[] => {
  const fields = new Set(app.profileFields);
  const direct: SeedBadge[] = [];
  for (const badge of badges) {
    const { criteria } = badge;
    if (criteria.type === 'count') {
      const events = [criteria.event].flat().filter((event) => app.events.has(event));
      if (events.length === 0) continue;
      const event = Array.isArray(criteria.event) ? events : events[0];
      direct.push({ ...badge, criteria: { ...criteria, event } });
    } else if (criteria.type === 'profile') {
      if (criteria.fields.every((field) => fields.has(field))) direct.push(badge);
    } else if (criteria.type === 'streak') {
      if (app.streakEvents.length > 0) direct.push(badge);
    } else if (criteria.type !== 'badges') {
      direct.push(badge);
    }
  }
  const bySlug = new Map(direct.map((b) => [b.slug, b]));
  for (const badge of badges) {
    const { criteria } = badge;
    if (criteria.type !== 'badges') continue;
    const inScope = direct.filter(
      (b) => criteria.category === undefined || b.category === criteria.category
    );
    if (inScope.length >= (criteria.count ?? 1)) bySlug.set(badge.slug, badge);
  }
  // In catalog order: sortOrder comes from the position in the default catalog.
  return badges.flatMap((b) => bySlug.get(b.slug) ?? []);
};
