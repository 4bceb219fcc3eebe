/**
 * A second Strapi process for the crash test: boots the example academy on the test's
 * database, starts erasing member argv[2] and kills itself (SIGKILL: no shutdown, no clean-up)
 * right after the erase step argv[3] committed.
 */
const { createStrapi } = require('@strapi/strapi');

const [userId, killAfter] = process.argv.slice(2);

(async () => {
  const app = createStrapi({
    appDir: process.env.APP_DIR,
    distDir: process.env.DIST_DIR,
    autoReload: false,
    serveAdminPanel: false,
  });
  await app.load();
  await app
    .plugin('achievements')
    .service('privacy')
    .erase(Number(userId), {
      onStepDone: (step) => {
        if (step === killAfter) process.kill(process.pid, 'SIGKILL');
      },
    });
  console.error('the erase finished without reaching the step to crash after');
  process.exit(3);
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
