import fs from 'fs';

/** What the e2e global setup (tests/e2e/setup/global-setup.mjs) hands to the tests. */
export interface E2EState {
  /** The running academy, e.g. http://127.0.0.1:1341 */
  baseUrl: string;
  /** The first (super) admin, registered through POST /admin/register-admin. */
  admin: { firstname: string; lastname: string; email: string; password: string };
  /** Strapi's output, for diagnosing a failure. */
  logFile: string;
  chromium: string;
}

export const e2eState = (): E2EState => {
  const file = process.env.ACHIEVEMENTS_E2E_STATE;
  if (!file || !fs.existsSync(file)) {
    throw new Error(
      'No e2e state: run the end-to-end tests with `npx jest -c jest.e2e.config.js --runInBand`'
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as E2EState;
};
