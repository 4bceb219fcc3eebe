/**
 * `plugin::achievements.has-any-permission`: lets an admin through when their role has at least
 * one of `config.actions`. Strapi's `admin::hasPermissions` needs them all; the Members page is
 * for anyone who may award, revoke, export or erase.
 */
const hasAnyPermission = (policyContext: any, config: { actions: string[] }) => {
  const ability = policyContext.state?.userAbility;
  return Boolean(ability) && config.actions.some((action) => ability.can(action));
};

export default { 'has-any-permission': hasAnyPermission };
