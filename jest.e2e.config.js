/**
 * End-to-end tier: Debian's Chromium (driven by playwright-core) against the example academy's
 * production admin build served by `strapi start` on a fresh SQLite file. The global setup
 * refuses to run without /usr/bin/chromium: a missing browser is a failure, never a pass.
 */
module.exports = {
  displayName: 'e2e',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/*.e2e.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/tests/e2e/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/tests/e2e/setup/global-teardown.mjs',
  testTimeout: 120_000,
  maxWorkers: 1,
};
