/** Member actions on comments; the member is always the JWT's user. */
export default {
  routes: [
    {
      method: 'POST',
      path: '/comments',
      handler: 'api::comment.member.create',
      config: { policies: [] },
    },
    {
      method: 'PATCH',
      path: '/comments/:documentId/helpful',
      handler: 'api::comment.member.markHelpful',
      config: { policies: [] },
    },
  ],
};
