/**
 * Integration tier: a real Strapi (the example academy with the plugin) booted once per test
 * file on a fresh database — SQLite by default, DATABASE_CLIENT=postgres|mysql for the others.
 */
const ESM_PACKAGES =
  '/node_modules/(?!(@digitalbazaar|jose|base58-universal|base64url-universal|ky)/)';

module.exports = {
  displayName: `integration:${process.env.DATABASE_CLIENT || 'sqlite'}`,
  // Node's, plus: a test fails when node-postgres deprecates one of its queries (see the file).
  testEnvironment: '<rootDir>/tests/integration/setup/environment.js',
  roots: ['<rootDir>/tests/integration'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The Verifiable Credentials libraries are ESM-only: jest (CommonJS) compiles them too.
  transformIgnorePatterns: [ESM_PACKAGES],
  globalSetup: '<rootDir>/tests/integration/setup/global-setup.mjs',
  testTimeout: 120_000,
  maxWorkers: 1,
};
