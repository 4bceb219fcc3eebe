/** The caller's profile. The member is the JWT's user: no route takes a user id. */
export default {
  routes: [
    {
      method: 'GET',
      path: '/profile',
      handler: 'api::profile.profile.me',
      config: { policies: [] },
    },
    {
      method: 'PUT',
      path: '/profile',
      handler: 'api::profile.profile.update',
      config: { policies: [] },
    },
    {
      method: 'POST',
      path: '/profile/avatar',
      handler: 'api::profile.profile.uploadAvatar',
      config: { policies: [] },
    },
  ],
};
