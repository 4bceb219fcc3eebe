import { describeCriteria } from '../../../engine/sentence';
import type { Criteria } from '../../../engine/criteria';

const cases: Array<[Criteria, string]> = [
  [{ type: 'count', event: 'lesson.completed', threshold: 5 }, 'Complete 5 lessons'],
  [{ type: 'count', event: 'lesson.completed', threshold: 1 }, 'Complete a lesson'],
  [{ type: 'count', event: 'module.completed', threshold: 1 }, 'Complete a module'],
  [{ type: 'count', event: 'course.completed', threshold: 3 }, 'Complete 3 courses'],
  [{ type: 'count', event: 'post.published', threshold: 1 }, 'Publish a post'],
  [{ type: 'count', event: 'comment.created', threshold: 10 }, 'Write 10 comments'],
  [{ type: 'count', event: 'comment.helpful', threshold: 1 }, 'Give a helpful answer'],
  [{ type: 'count', event: 'comment.helpful', threshold: 5 }, 'Give 5 helpful answers'],
  [
    { type: 'count', event: 'reaction.received', threshold: 10, distinct: 'actor' },
    'Receive 10 reactions from different members',
  ],
  [
    { type: 'count', event: 'lesson.completed', threshold: 3, withinDays: 7 },
    'Complete 3 lessons within 7 days',
  ],
  [
    {
      type: 'count',
      event: ['lesson.completed', 'post.published', 'comment.created'],
      threshold: 30,
      distinct: 'day',
    },
    'Be active on 30 different days',
  ],
  [
    { type: 'count', event: 'lesson.completed', threshold: 5, distinct: 'subject' },
    'Complete 5 different lessons',
  ],
  [{ type: 'count', event: 'video.watched', threshold: 3 }, 'Record 3 "video.watched" events'],
  [{ type: 'count', event: 'order.placed', threshold: 1 }, 'Record an "order.placed" event'],
  [{ type: 'count', event: 'lesson.completed', threshold: 2500 }, 'Complete 2,500 lessons'],
  [
    { type: 'count', event: ['lesson.completed', 'module.completed'], threshold: 4 },
    'Complete 4 lessons or modules',
  ],
  [
    { type: 'profile', fields: ['avatar', 'bio', 'socialLinks'] },
    'Add a profile picture, a bio and social links',
  ],
  [{ type: 'profile', fields: ['avatar'] }, 'Add a profile picture'],
  [{ type: 'profile', fields: ['timezone', 'jobTitle'] }, 'Add your timezone and your job title'],
  [{ type: 'streak', days: 7 }, 'Keep a 7-day learning streak'],
  [{ type: 'streak', days: 1000 }, 'Keep a 1,000-day learning streak'],
  [{ type: 'badges', count: 5 }, 'Earn 5 badges'],
  [{ type: 'badges', category: 'courses' }, 'Earn every badge in Courses'],
  [{ type: 'badges', count: 2, category: 'community' }, 'Earn 2 badges in Community'],
  [{ type: 'points', threshold: 1000 }, 'Reach 1,000 points'],
  [{ type: 'manual' }, 'Awarded by an admin'],
  [
    {
      type: 'all',
      of: [
        { type: 'count', event: 'lesson.completed', threshold: 5 },
        { type: 'streak', days: 7 },
      ],
    },
    'Do all of: Complete 5 lessons; Keep a 7-day learning streak',
  ],
  [
    {
      type: 'any',
      of: [
        { type: 'points', threshold: 1000 },
        { type: 'badges', count: 5 },
      ],
    },
    'Do one of: Reach 1,000 points; Earn 5 badges',
  ],
];

describe('describeCriteria', () => {
  it.each(cases.map(([c, s]) => [s, c] as const))('%s', (sentence, c) => {
    expect(describeCriteria(c)).toBe(sentence);
  });

  it('uses host category, badge, event and field names', () => {
    expect(
      describeCriteria(
        { type: 'badges', category: 'courses' },
        { categoryNames: { courses: 'Learning paths' } }
      )
    ).toBe('Earn every badge in Learning paths');
    expect(describeCriteria({ type: 'badges', category: 'deep-dives' })).toBe(
      'Earn every badge in Deep dives'
    );
    expect(
      describeCriteria(
        { type: 'badges', badges: ['first-lesson', 'first-post'] },
        {
          badgeNames: { 'first-lesson': 'Finish first lesson', 'first-post': 'Publish first post' },
        }
      )
    ).toBe('Earn the badges "Finish first lesson" and "Publish first post"');
    expect(
      describeCriteria(
        { type: 'count', event: 'video.watched', threshold: 2 },
        { eventPhrases: { 'video.watched': { verb: 'Watch', noun: 'video' } } }
      )
    ).toBe('Watch 2 videos');
    expect(
      describeCriteria(
        { type: 'count', event: 'quiz.passed', threshold: 1 },
        { eventPhrases: { 'quiz.passed': { verb: 'Pass', noun: 'quiz', plural: 'quizzes' } } }
      )
    ).toBe('Pass a quiz');
    expect(
      describeCriteria(
        { type: 'profile', fields: ['bio'] },
        { profileFieldLabels: { bio: 'an about text' } }
      )
    ).toBe('Add an about text');
  });
});
