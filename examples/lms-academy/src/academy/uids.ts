/** Content-type UIDs of the academy, spelled once. */
export const UID = {
  course: 'api::course.course',
  module: 'api::module.module',
  lesson: 'api::lesson.lesson',
  enrollment: 'api::enrollment.enrollment',
  lessonCompletion: 'api::lesson-completion.lesson-completion',
  moduleCompletion: 'api::module-completion.module-completion',
  post: 'api::post.post',
  comment: 'api::comment.comment',
  reaction: 'api::reaction.reaction',
  user: 'plugin::users-permissions.user',
  role: 'plugin::users-permissions.role',
  permission: 'plugin::users-permissions.permission',
  file: 'plugin::upload.file',
} as const;

export const REACTION_KINDS = ['like', 'love', 'insightful', 'celebrate'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

export const SOCIAL_PLATFORMS = [
  'website',
  'github',
  'linkedin',
  'x',
  'mastodon',
  'youtube',
] as const;
export type SocialPlatform = (typeof SOCIAL_PLATFORMS)[number];
