/**
 * No secret has a default: `npm run demo` writes random ones to .env on its first run, tests set
 * their own, and in production the app refuses to start without them (src/academy/secrets.ts).
 */
export default ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET') },
  apiToken: { salt: env('API_TOKEN_SALT') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY') },
  // Strapi's default: 5 sign-ins per 5 minutes per email and address. The end-to-end suite,
  // which signs in from a browser once per test file, raises it through the environment.
  rateLimit: { max: env.int('ADMIN_LOGIN_RATE_LIMIT', 5) },
  flags: { nps: false, promoteEE: false },
  telemetryDisabled: true,
});
