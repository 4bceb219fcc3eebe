import type { Core } from '@strapi/strapi';
import { UID } from './uids';

const READABLE = [UID.course, UID.module, UID.lesson, UID.post, UID.comment];

/** Published courses, modules, lessons, posts and comments are readable by anyone. */
const READ_ACTIONS = READABLE.flatMap((uid) => [`${uid}.find`, `${uid}.findOne`]);

/** The member API. Each action acts for the JWT's user only. */
export const MEMBER_ACTIONS = [
  'api::profile.profile.me',
  'api::profile.profile.update',
  'api::profile.profile.uploadAvatar',
  'api::lesson.lesson.complete',
  'api::post.member.create',
  'api::post.member.delete',
  'api::comment.member.create',
  'api::comment.member.markHelpful',
  'api::reaction.member.create',
  'api::reaction.member.delete',
];

const GRANTS: Record<'public' | 'authenticated', string[]> = {
  public: READ_ACTIONS,
  authenticated: [...READ_ACTIONS, ...MEMBER_ACTIONS],
};

/**
 * Actions no end-user role may hold, removed on every start. Core create/update/delete would
 * write academy rows for anyone, without the natural keys (the core routers do not even expose
 * them, but a grant would come back to life with a route). users-permissions' own user
 * update/create/destroy let their holder rewrite ANY user, role and email included: members
 * change their profile through PUT /api/profile instead.
 */
const FORBIDDEN = [
  ...Object.values(UID)
    .filter((uid) => uid.startsWith('api::'))
    .flatMap((uid) => [`${uid}.create`, `${uid}.update`, `${uid}.delete`]),
  'plugin::users-permissions.user.create',
  'plugin::users-permissions.user.update',
  'plugin::users-permissions.user.destroy',
];

/** Grants the academy's content-API actions to Public and Authenticated; idempotent. */
export const ensureRolePermissions = async (strapi: Core.Strapi): Promise<void> => {
  const permissions = strapi.db.query(UID.permission);
  for (const [type, actions] of Object.entries(GRANTS)) {
    const role = await strapi.db.query(UID.role).findOne({ where: { type } });
    if (!role) continue;

    const held = await permissions.findMany({
      where: { role: role.id, action: { $in: [...actions, ...FORBIDDEN] } },
      select: ['id', 'action'],
    });
    const heldActions = new Set(held.map((p: { action: string }) => p.action));
    for (const action of actions) {
      if (!heldActions.has(action)) await permissions.create({ data: { action, role: role.id } });
    }
    const revoked = held.filter((p: { action: string }) => FORBIDDEN.includes(p.action));
    if (revoked.length > 0) {
      await permissions.deleteMany({
        where: { id: { $in: revoked.map((p: { id: number }) => p.id) } },
      });
      strapi.log.warn(
        `[academy] revoked from ${type}: ${revoked.map((p: { action: string }) => p.action).join(', ')}`
      );
    }
  }
};
