/**
 * Install tier: what a new user does. `npm pack` of the built plugin, an app made by
 * create-strapi-app, the README's install snippets, `strapi build`, then three `strapi start`s
 * (SQLite as written, SQLite with `streakEvents: []`, PostgreSQL with the user extension) driven
 * over HTTP. One suite, run in band; each step has its own timeout.
 */
module.exports = {
  displayName: 'install',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/install'],
  testMatch: ['**/*.install.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 120_000,
  maxWorkers: 1,
};
