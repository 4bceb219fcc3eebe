/** A member's own reactions; the author is always the JWT's user. */
export default {
  routes: [
    {
      method: 'POST',
      path: '/reactions',
      handler: 'api::reaction.member.create',
      config: { policies: [] },
    },
    {
      method: 'DELETE',
      path: '/reactions/:documentId',
      handler: 'api::reaction.member.delete',
      config: { policies: [] },
    },
  ],
};
