import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Core, UID as StrapiUID } from '@strapi/strapi';
import { UID, type ReactionKind, type SocialPlatform } from './academy/uids';
import { academyService } from './academy/services';
import { avatarPng } from './academy/avatar-png';

/**
 * Demo data for the academy: 2 courses × 3 modules × 4 lessons, 20 members with varied profiles
 * and some activity, written through the same services the member API uses, so the achievements
 * plugin sees exactly what it would see in production.
 *
 * Idempotent: content is found by slug or position, members by username, posts and comments by
 * author and text, completions and reactions by their natural keys. A second run writes nothing.
 * Every seeded member's password is SEED_PASSWORD.
 */
export const SEED_PASSWORD = 'Academy-Passw0rd!';

type Row = Record<string, any>;

const COURSES = [
  {
    slug: 'web-foundations',
    title: 'Web Foundations',
    description: 'Build and style your first web pages, then make them interactive.',
    modules: [
      {
        title: 'HTML basics',
        lessons: ['Documents and tags', 'Links and images', 'Lists and tables', 'Forms'],
      },
      { title: 'CSS layout', lessons: ['Selectors', 'The box model', 'Flexbox', 'Grid'] },
      {
        title: 'JavaScript essentials',
        lessons: ['Values and variables', 'Functions', 'The DOM', 'Events'],
      },
    ],
  },
  {
    slug: 'data-literacy',
    title: 'Data Literacy',
    description: 'Read charts critically, tame spreadsheets and reason with numbers.',
    modules: [
      {
        title: 'Reading charts',
        lessons: ['Axes and scales', 'Bar and line charts', 'Misleading charts', 'Maps'],
      },
      {
        title: 'Spreadsheets',
        lessons: ['Cells and formulas', 'Sorting and filtering', 'Lookups', 'Pivot tables'],
      },
      {
        title: 'Statistics without fear',
        lessons: ['Averages', 'Spread', 'Sampling', 'Correlation is not causation'],
      },
    ],
  },
];

type Links = Partial<Record<SocialPlatform, string>>;
interface SeedMember {
  username: string;
  timezone?: string;
  bio?: string;
  links?: Links;
  avatar?: [number, number, number];
  /** Lessons completed, in order, per course (index into COURSES). */
  lessons: [number, number];
}

const gh = (name: string): Links => ({ github: `https://github.com/${name}` });

const MEMBERS: SeedMember[] = [
  {
    username: 'amara_okafor',
    timezone: 'Africa/Lagos',
    bio: 'Frontend learner from Lagos, into accessible design.',
    links: { ...gh('amaraok'), linkedin: 'https://www.linkedin.com/in/amara-okafor' },
    avatar: [229, 115, 115],
    lessons: [12, 0],
  },
  {
    username: 'bjorn_lindqvist',
    timezone: 'Europe/Stockholm',
    bio: 'Data analyst brushing up on statistics.',
    links: { website: 'https://bjorn.example.dev', mastodon: 'https://mastodon.social/@bjorn' },
    avatar: [100, 181, 246],
    lessons: [0, 12],
  },
  {
    username: 'chen_wei',
    timezone: 'Asia/Shanghai',
    bio: 'Backend developer learning CSS the hard way.',
    links: gh('chenwei'),
    avatar: [129, 199, 132],
    lessons: [5, 0],
  },
  {
    username: 'daniela_souza',
    timezone: 'America/Sao_Paulo',
    bio: 'Journalist who wants to read charts better.',
    links: { x: 'https://x.com/danisouza' },
    lessons: [4, 4],
  },
  {
    username: 'ethan_walker',
    timezone: 'Australia/Sydney',
    avatar: [255, 183, 77],
    lessons: [8, 0],
  },
  {
    username: 'fatima_zahra',
    timezone: 'Africa/Casablanca',
    bio: 'Teacher preparing a data class for her students.',
    lessons: [4, 2],
  },
  {
    username: 'gabriel_martin',
    timezone: 'Europe/Paris',
    bio: 'Designer, learning to code my own prototypes.',
    links: {
      website: 'https://gabriel.example.dev',
      linkedin: 'https://www.linkedin.com/in/gabriel-martin',
    },
    avatar: [186, 104, 200],
    lessons: [2, 0],
  },
  {
    username: 'hana_sato',
    timezone: 'Asia/Tokyo',
    bio: 'Product manager, curious about the web stack.',
    lessons: [1, 0],
  },
  {
    username: 'isabel_garcia',
    timezone: 'America/Mexico_City',
    links: { youtube: 'https://www.youtube.com/@isabelcodes' },
    lessons: [3, 0],
  },
  { username: 'jamal_hassan', timezone: 'Africa/Cairo', lessons: [0, 0] },
  {
    username: 'kavya_iyer',
    timezone: 'Asia/Kolkata',
    bio: 'Engineering student, weekend learner.',
    links: { ...gh('kavyaiyer'), x: 'https://x.com/kavya_codes' },
    avatar: [77, 182, 172],
    lessons: [6, 4],
  },
  {
    username: 'liam_oconnor',
    timezone: 'Europe/Dublin',
    bio: 'Accountant automating spreadsheets.',
    avatar: [161, 136, 127],
    lessons: [0, 0],
  },
  { username: 'maria_rossi', timezone: 'Europe/Rome', lessons: [1, 0] },
  {
    username: 'noah_cohen',
    timezone: 'America/New_York',
    bio: 'Career changer, from retail to frontend.',
    links: { ...gh('noahcohen'), website: 'https://noah.example.dev' },
    lessons: [7, 0],
  },
  { username: 'olivia_brown', timezone: 'America/Toronto', lessons: [0, 0] },
  {
    username: 'pablo_restrepo',
    timezone: 'America/Bogota',
    bio: 'Photographer building a portfolio site.',
    lessons: [2, 0],
  },
  {
    username: 'quynh_nguyen',
    timezone: 'Asia/Ho_Chi_Minh',
    bio: 'Learning in 25-minute slices.',
    links: { mastodon: 'https://fosstodon.org/@quynh' },
    avatar: [240, 98, 146],
    lessons: [4, 1],
  },
  {
    username: 'rahul_mehta',
    timezone: 'Asia/Dubai',
    bio: 'Ops engineer, reading about data.',
    lessons: [0, 0],
  },
  { username: 'sofia_petrova', lessons: [1, 0] },
  {
    username: 'tane_walker',
    timezone: 'Pacific/Auckland',
    links: gh('tanewalker'),
    lessons: [0, 0],
  },
];

/** [author, title, body] — authors are indexes into MEMBERS. */
const POSTS: [number, string, string][] = [
  [2, 'How do you remember flexbox vs grid?', 'I keep mixing them up. What is your rule of thumb?'],
  [
    0,
    'Finished Web Foundations, what next?',
    'Just completed the last lesson. Which course would you take next?',
  ],
  [
    3,
    'Tip: read charts from the axes first',
    'Before looking at the bars, check what the axes say and where they start.',
  ],
  [
    5,
    'Study group for Statistics without fear?',
    'Anyone up for a weekly call to go through the lessons together?',
  ],
  [
    8,
    'My first responsive page',
    'After the CSS layout module I rebuilt my CV as a responsive page!',
  ],
  [
    11,
    'Spreadsheet formulas that saved my week',
    'Lookups replaced two hours of copy-paste. Share your favourites.',
  ],
  [
    13,
    'Why does JavaScript have both == and ===?',
    'The Values and variables lesson mentions both. When should I use which?',
  ],
  [16, 'Pomodoro + lessons = streak', 'One lesson per 25-minute pomodoro keeps my streak alive.'],
];

/** [post, author, body, marked helpful by the post's author]. */
const COMMENTS: [number, number, string, boolean][] = [
  [0, 4, 'Grid for two dimensions, flexbox for one. That rule got me far.', true],
  [0, 6, 'Flexbox Froggy and Grid Garden made it stick for me.', true],
  [0, 10, 'I keep a cheat sheet pinned above my desk.', false],
  [1, 1, 'Congrats! Data Literacy pairs well with it.', true],
  [1, 13, 'Build something small every week.', false],
  [2, 7, 'This changed how I read the news.', false],
  [2, 12, 'Also check whether the y axis starts at zero!', true],
  [3, 1, 'Count me in, Sundays?', false],
  [3, 10, 'I am in too.', false],
  [3, 17, 'Happy to share my notes.', true],
  [4, 2, 'Looks great on my phone.', false],
  [4, 19, 'Nice use of media queries.', false],
  [5, 3, 'XLOOKUP is a lifesaver.', true],
  [5, 9, 'Pivot tables next?', false],
  [6, 0, '=== compares without type coercion; prefer it.', true],
  [6, 4, 'MDN has a clear table of the == rules.', true],
  [6, 14, 'I was wondering the same!', false],
  [7, 6, 'Same here, one lesson per pomodoro.', false],
  [7, 11, 'Great idea, stealing it.', false],
];

/** Reactions on posts: [post, members who react]. Post 0 gets reactions from 11 members. */
const POST_REACTIONS: [number, number[]][] = [
  [0, [0, 1, 3, 4, 5, 6, 7, 8, 10, 12, 13]],
  [1, [1, 2, 3, 13]],
  [2, [5, 7, 12]],
  [6, [0, 2, 4]],
];
/** Reactions on comments: [comment, members who react]. */
const COMMENT_REACTIONS: [number, number[]][] = [
  [0, [2, 10]],
  [1, [2]],
  [14, [13, 14]],
];
const KINDS: ReactionKind[] = ['like', 'love', 'insightful', 'celebrate'];

const DAY = 24 * 60 * 60 * 1000;

export interface SeedSummary {
  line: string;
  created: number;
}

export const seed = async (strapi: Core.Strapi): Promise<SeedSummary> => {
  await strapi.plugin('achievements').service('settings').update({ enabled: true });

  const progress = academyService(strapi, 'api::lesson.progress');
  const profiles = academyService(strapi, 'api::profile.profile');
  const posts = academyService(strapi, 'api::post.member');
  const comments = academyService(strapi, 'api::comment.member');
  const reactions = academyService(strapi, 'api::reaction.member');
  const catalogue = academyService(strapi, 'api::module.catalogue');

  let created = 0;
  const count = <T>(result: { created: boolean; entry: T }) => {
    if (result.created) created += 1;
    return result.entry;
  };

  // Content: courses → modules → lessons, all published.
  const lessonIds: string[][] = [];
  for (const course of COURSES) {
    const courseDoc = count(
      await ensure(
        () => strapi.documents(UID.course).findFirst({ filters: { slug: course.slug } }),
        () =>
          strapi.documents(UID.course).create({
            data: { title: course.title, slug: course.slug, description: course.description },
            status: 'published',
          })
      )
    );
    const ids: string[] = [];
    for (const [m, module] of course.modules.entries()) {
      const moduleDoc = count(
        await ensure(
          () =>
            strapi.documents(UID.module).findFirst({
              filters: { position: m + 1, course: { documentId: courseDoc.documentId } },
            }),
          () =>
            catalogue.createPublished({
              title: module.title,
              position: m + 1,
              course: courseDoc.documentId,
            })
        )
      );
      for (const [l, title] of module.lessons.entries()) {
        const lessonDoc = count(
          await ensure(
            () =>
              strapi.documents(UID.lesson).findFirst({
                filters: { position: l + 1, module: { documentId: moduleDoc.documentId } },
              }),
            () =>
              strapi.documents(UID.lesson).create({
                data: {
                  title,
                  position: l + 1,
                  body: `${title}: the ${module.title.toLowerCase()} module of ${course.title}, lesson ${l + 1}.`,
                  module: moduleDoc.documentId,
                },
                status: 'published',
              })
          )
        );
        ids.push(lessonDoc.documentId);
      }
    }
    lessonIds.push(ids);
  }

  // Members and their profiles.
  const authenticated = await strapi.db
    .query(UID.role)
    .findOne({ where: { type: 'authenticated' } });
  const userService = strapi.plugin('users-permissions').service('user');
  const memberIds: number[] = [];
  let withAvatar = 0;
  for (const member of MEMBERS) {
    const user = count(
      await ensure(
        () => strapi.db.query(UID.user).findOne({ where: { username: member.username } }),
        () =>
          userService.add({
            username: member.username,
            email: `${member.username}@academy.example`,
            password: SEED_PASSWORD,
            provider: 'local',
            confirmed: true,
            blocked: false,
            role: authenticated.id,
          })
      )
    );
    memberIds.push(user.id);

    const profile = await profiles.get(user.id);
    if (member.avatar) withAvatar += 1;
    const untouched =
      profile &&
      !profile.bio &&
      !profile.timezone &&
      !profile.avatar &&
      profile.socialLinks.length === 0;
    if (!untouched) continue;
    const avatar = member.avatar
      ? await uploadAvatar(strapi, member.username, member.avatar)
      : undefined;
    // save(), not update(): the seed uploaded this avatar for the member itself.
    await profiles.save(user.id, {
      ...(member.bio ? { bio: member.bio } : {}),
      ...(member.timezone ? { timezone: member.timezone } : {}),
      ...(member.links
        ? {
            socialLinks: Object.entries(member.links).map(([platform, url]) => ({
              platform: platform as SocialPlatform,
              url: url!,
            })),
          }
        : {}),
      ...(avatar ? { avatar } : {}),
    });
    if (avatar) created += 1;
  }

  // Learning: lessons completed in order, one a day up to today, so streaks have a history.
  let lessonCompletions = 0;
  let moduleCompletions = 0;
  let coursesCompleted = 0;
  const today = Date.now();
  for (const [i, member] of MEMBERS.entries()) {
    const done = member.lessons.flatMap((n, course) => lessonIds[course].slice(0, n));
    for (const [k, lessonDocumentId] of done.entries()) {
      const completedAt = new Date(today - (done.length - 1 - k) * DAY);
      const result = await progress.completeLesson(memberIds[i], lessonDocumentId, { completedAt });
      if (!result) throw new Error(`seed: lesson ${lessonDocumentId} is not published`);
      if (result.created) created += 1;
      lessonCompletions += 1;
    }
    moduleCompletions += member.lessons.reduce((sum, n) => sum + Math.floor(n / 4), 0);
    coursesCompleted += member.lessons.filter((n) => n === 12).length;
  }
  // Module completions and enrollments are created by the services above; count what they made.
  created += await countSince(strapi, [UID.moduleCompletion, UID.enrollment], today);

  // Community: posts, comments (some marked helpful by the post's author), reactions.
  const postIds: string[] = [];
  for (const [author, title, body] of POSTS) {
    const existing = await posts.findOwn(memberIds[author], title);
    const post = existing ?? (await posts.create(memberIds[author], { title, body }));
    if (!existing) created += 1;
    postIds.push(post.documentId);
  }
  const commentIds: string[] = [];
  let helpful = 0;
  for (const [p, author, body, markHelpful] of COMMENTS) {
    const existing = await comments.findOwn(memberIds[author], postIds[p], body);
    const comment =
      existing ?? (await comments.create(memberIds[author], { post: postIds[p], body }));
    if (!existing) created += 1;
    commentIds.push(comment.documentId);
    if (markHelpful) {
      helpful += 1;
      await comments.markHelpful(memberIds[POSTS[p][0]], comment.documentId, true);
    }
  }
  let reactionCount = 0;
  const react = async (
    target: { type: 'post' | 'comment'; documentId: string },
    members: number[]
  ) => {
    for (const [j, member] of members.entries()) {
      const { created: isNew } = await reactions.react(
        memberIds[member],
        target,
        KINDS[j % KINDS.length]
      );
      if (isNew) created += 1;
      reactionCount += 1;
    }
  };
  for (const [p, members] of POST_REACTIONS)
    await react({ type: 'post', documentId: postIds[p] }, members);
  for (const [c, members] of COMMENT_REACTIONS) {
    await react({ type: 'comment', documentId: commentIds[c] }, members);
  }

  // Let the plugin award everything the seeded activity earns before the script exits, so the
  // demo starts with badges, progress and streaks in place.
  await strapi.plugin('achievements').service('evaluator').drain();

  const lessons = lessonIds.reduce((sum, ids) => sum + ids.length, 0);
  const line =
    `[academy] seed: ${COURSES.length} courses, ${COURSES.length * 3} modules, ${lessons} lessons, ` +
    `${MEMBERS.length} members (${withAvatar} with avatars), ${lessonCompletions} lesson completions, ` +
    `${moduleCompletions} module completions, ${coursesCompleted} completed courses, ` +
    `${POSTS.length} posts, ${COMMENTS.length} comments (${helpful} helpful), ${reactionCount} reactions; ` +
    `${created} records created by this run`;
  strapi.log.info(line);
  return { line, created };
};

/** Finds an entry, or creates it; `created` says which. */
const ensure = async (
  find: () => Promise<Row | null | undefined>,
  create: () => Promise<Row>
): Promise<{ entry: Row; created: boolean }> => {
  const existing = await find();
  return existing ? { entry: existing, created: false } : { entry: await create(), created: true };
};

/** Rows of `uids` created since `since` (ms): what the progress rules wrote during this run. */
const countSince = async (strapi: Core.Strapi, uids: StrapiUID.ContentType[], since: number) => {
  let total = 0;
  for (const uid of uids) {
    total += await strapi.db.query(uid).count({ where: { createdAt: { $gte: new Date(since) } } });
  }
  return total;
};

/** Uploads a generated PNG through the upload plugin's service; returns the file id. */
const uploadAvatar = async (
  strapi: Core.Strapi,
  username: string,
  rgb: [number, number, number]
): Promise<number> => {
  const png = avatarPng(rgb);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'academy-avatar-'));
  const filepath = path.join(dir, `${username}.png`);
  fs.writeFileSync(filepath, png);
  try {
    const [file] = await strapi
      .plugin('upload')
      .service('upload')
      .upload({
        data: { fileInfo: { name: `${username}.png`, alternativeText: `Avatar of ${username}` } },
        files: {
          filepath,
          originalFilename: `${username}.png`,
          mimetype: 'image/png',
          size: png.length,
        },
      });
    return file.id as number;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
