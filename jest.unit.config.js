/** Unit tier: pure code and mocked strapi, milliseconds per test. */
const ESM_PACKAGES =
  '/node_modules/(?!(@digitalbazaar|jose|base58-universal|base64url-universal|ky)/)';

module.exports = {
  displayName: 'unit',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/unit'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The Verifiable Credentials libraries are ESM-only: jest (CommonJS) compiles them too.
  transformIgnorePatterns: [ESM_PACKAGES],
};
