/**
 * The credential verifier's browser module (public/verify.html loads it). Open: it is code, and
 * says nothing about any member.
 */
export default {
  routes: [
    {
      method: 'GET',
      path: '/credential-verifier.js',
      handler: 'api::verifier.verifier.script',
      config: { auth: false, policies: [] },
    },
  ],
};
