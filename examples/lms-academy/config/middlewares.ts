export default [
  'strapi::logger',
  'strapi::errors',
  'strapi::security',
  'strapi::cors',
  'strapi::poweredBy',
  'strapi::query',
  {
    // A malformed multipart body is the client's fault: formidable says 400, but Strapi's
    // error middleware would answer 500 without this.
    name: 'strapi::body',
    config: {
      onError: (error: any, ctx: any) => {
        ctx.throw(error.status ?? error.statusCode ?? error.httpCode ?? 400, error.message);
      },
    },
  },
  // U+0000 and values the database cannot compare: a 400, not a 500 (src/middlewares).
  'global::refuse-bad-input',
  'strapi::session',
  'strapi::favicon',
  'strapi::public',
];
