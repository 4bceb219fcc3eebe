export default ({ env }) => ({
  host: env('HOST', '0.0.0.0'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  // Tests point this at a temporary folder so uploads never land in the repository.
  dirs: { public: env('STRAPI_PUBLIC_DIR', './public') },
  // No default (see config/admin.ts): `npm run demo` writes random keys to .env.
  app: { keys: env.array('APP_KEYS') },
});
