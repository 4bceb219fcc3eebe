/** Member actions on lessons; the member is always the JWT's user. */
export default {
  routes: [
    {
      method: 'POST',
      path: '/lessons/:documentId/complete',
      handler: 'api::lesson.lesson.complete',
      config: { policies: [] },
    },
  ],
};
