/** A member's own posts; the author is always the JWT's user. */
export default {
  routes: [
    {
      method: 'POST',
      path: '/posts',
      handler: 'api::post.member.create',
      config: { policies: [] },
    },
    {
      method: 'DELETE',
      path: '/posts/:documentId',
      handler: 'api::post.member.delete',
      config: { policies: [] },
    },
  ],
};
