import { ACTIONS } from '../../common/constants';
import { launchBrowser, loginAdmin, screenshot, type BrowserSession } from './helpers/browser';
import {
  adminApi,
  choose,
  createPublishedLesson,
  http,
  loginAs,
  pluginUrl,
  registerMember,
  restrictedAdmin,
  setLook,
  viewportShot,
} from './helpers/admin';
import { e2eState } from './helpers/state';

/** The Achievements admin panel on the production admin build, driven in Chromium. */
describe('Achievements admin panel (production admin build, Chromium)', () => {
  let session: BrowserSession;
  let member: Awaited<ReturnType<typeof registerMember>>;

  beforeAll(async () => {
    session = await launchBrowser();
    await adminApi('PUT', '/achievements/settings', { enabled: true });
    member = await registerMember();
    await loginAdmin(session.page);
  });

  afterAll(async () => {
    // Other e2e files expect a fresh install's settings: switch achievements back off.
    await adminApi('PUT', '/achievements/settings', { enabled: false }).catch(() => undefined);
    await session?.close();
  });

  const guard = (name: string, fn: () => Promise<void>) => async () => {
    try {
      await fn();
    } catch (error) {
      await screenshot(session.page, `${name}-failure`).catch(() => undefined);
      throw error;
    }
  };

  it(
    'creates a badge with the criteria builder; a member earns it and its earned count shows 1',
    guard('badge-create', async () => {
      const { page } = session;
      await page.goto(pluginUrl('/badges'));
      await page.getByRole('heading', { name: 'Badges', level: 1 }).waitFor();
      await screenshot(page, 'light-badges-list');

      await page.getByRole('link', { name: 'Create a badge' }).click();
      await page.getByRole('heading', { name: 'Create a badge', level: 1 }).waitFor();
      await page.getByLabel('Name').first().fill('Lesson Rookie');

      // Artwork comes from Strapi's own media library dialog (the seeded SVGs are there).
      await page.getByRole('button', { name: 'Choose from the media library' }).click();
      const library = page.getByRole('dialog');
      await library.getByRole('checkbox').first().waitFor();
      await library.getByRole('checkbox').first().check();
      await library.getByRole('button', { name: 'Finish' }).click();
      await library.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Change artwork' }).waitFor();

      await choose(page, 'Kind of rule', 'Count of an event');
      await choose(page, 'Event', 'lesson.completed');
      const times = page.getByLabel('How many times').first();

      // A bad threshold: the server's error lands on that field.
      await times.fill('0');
      await page.getByRole('button', { name: 'Save' }).click();
      await page
        .getByText(/criteria\.threshold: threshold must be a whole number/)
        .first()
        .waitFor();
      await screenshot(page, 'light-badge-editor-field-error');

      await times.fill('1');
      await page.getByTestId('criteria-sentence').getByText('Complete a lesson').waitFor();
      await page.getByRole('button', { name: 'Dry run' }).click();
      await page
        .getByTestId('dry-run')
        .getByText(/No member would earn this now/)
        .waitFor();
      await screenshot(page, 'light-badge-editor');

      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Lesson Rookie saved').waitFor();

      const stored = (await adminApi('GET', '/achievements/badges')).data.find(
        (b: any) => b.name === 'Lesson Rookie'
      );
      expect(stored.criteria).toEqual({ type: 'count', event: 'lesson.completed', threshold: 1 });
      expect(stored.image?.url).toMatch(/achievement_.*\.svg$/);

      // The member completes a lesson through the academy's member API.
      const lesson = await createPublishedLesson();
      const done = await http('POST', `/api/lessons/${lesson}/complete`, {
        token: member.jwt,
        body: {},
      });
      expect([200, 201]).toContain(done.status);

      const row = page.locator(`tr[data-badge="${stored.slug}"]`);
      for (let i = 0; i < 30; i += 1) {
        await page.goto(pluginUrl('/badges'));
        await row.waitFor();
        if ((await row.getByTestId('earned-count').textContent()) === '1') break;
        await page.waitForTimeout(1000);
      }
      expect(await row.getByTestId('earned-count').textContent()).toBe('1');
      await screenshot(page, 'light-badges-earned');
    })
  );

  it(
    'reorders badges by keyboard and by mouse drag, toggles, duplicates and deletes with a holder count',
    guard('badge-manage', async () => {
      const { page } = session;
      await page.goto(pluginUrl('/badges'));
      const rookie = page.locator('tr[data-badge="lesson-rookie"]');
      await rookie.waitFor();
      await rookie.getByRole('button', { name: 'Duplicate Lesson Rookie' }).click();
      const copy = page.locator('tr[data-badge="lesson-rookie-copy"]');
      await copy.waitFor();
      const order = () =>
        page
          .locator('tr[data-badge]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-badge')));
      const before = await order();
      expect(before.indexOf('lesson-rookie-copy')).toBe(before.indexOf('lesson-rookie') + 1);

      // Keyboard reorder: the copy moves above the original, and the order is saved.
      const saved = page.waitForResponse((r) => r.url().endsWith('/achievements/badges/order'));
      await copy.getByRole('button', { name: /Reorder Lesson Rookie \(copy\)/ }).press('ArrowUp');
      await saved;
      const after = await order();
      expect(after.indexOf('lesson-rookie-copy')).toBe(after.indexOf('lesson-rookie') - 1);
      const stored = (await adminApi('GET', '/achievements/badges')).data.map((b: any) => b.slug);
      expect(stored.indexOf('lesson-rookie-copy')).toBeLessThan(stored.indexOf('lesson-rookie'));

      // Mouse drag and drop: the original dragged onto the copy takes its place again.
      const dropped = page.waitForResponse((r) => r.url().endsWith('/achievements/badges/order'));
      await rookie.dragTo(copy);
      await dropped;
      const dragged = await order();
      expect(dragged.indexOf('lesson-rookie')).toBe(dragged.indexOf('lesson-rookie-copy') - 1);
      const storedAfterDrag = (await adminApi('GET', '/achievements/badges')).data.map(
        (b: any) => b.slug
      );
      expect(storedAfterDrag.indexOf('lesson-rookie')).toBeLessThan(
        storedAfterDrag.indexOf('lesson-rookie-copy')
      );

      expect(await copy.getByRole('switch').getAttribute('aria-checked')).toBe('false');
      const toggled = page.waitForResponse((r) => r.request().method() === 'PUT');
      await copy.getByRole('switch').click();
      await toggled;
      // The page re-renders after the response resolves: wait for it, then assert.
      await copy
        .getByRole('switch', { checked: true })
        .waitFor({ timeout: 5000 })
        .catch(() => {});
      expect(await copy.getByRole('switch').getAttribute('aria-checked')).toBe('true');
      await copy.getByRole('button', { name: 'Delete Lesson Rookie (copy)' }).click();
      await page.getByText('No member holds “Lesson Rookie (copy)”.').waitFor();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await copy.waitFor({ state: 'detached' });

      await rookie.getByRole('button', { name: 'Delete Lesson Rookie' }).click();
      await page.getByText('1 member holds “Lesson Rookie”.', { exact: false }).waitFor();
      await viewportShot(page, 'light-badge-delete-confirm');
      await page.getByRole('button', { name: 'Cancel' }).click();
    })
  );

  it(
    'awards and revokes by hand, and bulk-awards reporting an unknown username',
    guard('members', async () => {
      const { page } = session;
      await adminApi('POST', '/achievements/badges', {
        name: 'Forum Helper',
        tier: 'silver',
        points: 5,
        criteria: { type: 'manual' },
      });
      const other = await registerMember();
      await page.goto(pluginUrl('/members'));
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      await page.getByRole('searchbox').fill(member.user.username);
      await page.getByRole('searchbox').press('Enter');
      await page.getByRole('button', { name: member.user.username }).click();
      await page.getByRole('heading', { name: member.user.username, level: 2 }).waitFor();

      await choose(page, 'Badge to award', 'Forum Helper');
      await page.getByLabel('Reason', { exact: true }).fill('Great answers');
      await page.getByRole('button', { name: 'Award', exact: true }).click();
      await page.getByText('Badge awarded').waitFor();
      const helperRow = page.locator('tr[data-member-badge="forum-helper"]');
      await helperRow.getByText('Earned').waitFor();
      await screenshot(page, 'light-members');

      await helperRow.getByRole('button', { name: 'Revoke' }).click();
      await page.getByLabel('Reason for revoking').fill('Given by mistake');
      await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke' }).click();
      await page.getByText('Badge revoked').waitFor();
      await helperRow.getByRole('button', { name: 'Revoke' }).waitFor({ state: 'detached' });
      expect(await helperRow.getByText('Earned').count()).toBe(0);

      await choose(page, /^Badge$/, 'Forum Helper');
      await page
        .getByLabel('Usernames or emails')
        .fill(`${member.user.username}\n${other.user.username}@academy.test\nghost-learner`);
      await page.getByRole('button', { name: 'Award to all' }).click();
      const report = page.getByTestId('bulk-report');
      await report.getByText('Not found: ghost-learner').waitFor();
      await report.getByText('Awarded: 2').waitFor();
      await screenshot(page, 'light-members-bulk');
    })
  );

  it(
    'changes the Profile Layout card and /api/achievements/config follows',
    guard('layout', async () => {
      const { page } = session;
      const { baseUrl } = e2eState();
      await page.goto(`${baseUrl}/admin/settings/achievements/profile-layout`);
      await page.getByRole('heading', { name: 'Profile Layout', level: 1 }).waitFor();
      await screenshot(page, 'light-profile-layout');
      await page.getByRole('button', { name: 'Edit the Achievements card' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('checkbox', { name: 'Show the card on profiles' }).click();
      await choose(page, 'Position', 'Main');
      await dialog.getByRole('button', { name: 'Show 10 badges' }).click();
      await viewportShot(page, 'light-profile-layout-dialog');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Settings saved').waitFor();
      const config = await http('GET', '/api/achievements/config');
      expect(config.body.card).toEqual({ enabled: false, position: 'main', badgesToShow: 10 });

      // Back on, in the side zone, with 3 badges.
      await page.getByRole('button', { name: 'Edit the Achievements card' }).click();
      await dialog.getByRole('checkbox', { name: 'Show the card on profiles' }).click();
      await choose(page, 'Position', 'Side');
      await dialog.getByRole('button', { name: 'Show 3 badges' }).click();
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Settings saved').first().waitFor();
      for (let i = 0; i < 20; i += 1) {
        const c = await http('GET', '/api/achievements/config');
        if (c.body.card.position === 'side') break;
        await page.waitForTimeout(200);
      }
      expect((await http('GET', '/api/achievements/config')).body.card).toEqual({
        enabled: true,
        position: 'side',
        badgesToShow: 3,
      });

      await page.goto(`${baseUrl}/admin/settings/achievements/gamification`);
      await page.getByRole('heading', { name: 'Gamification', level: 1 }).waitFor();
      await page.getByLabel('Default timezone').fill('Mars/Olympus');
      await page.getByRole('button', { name: 'Save' }).click();
      await page
        .getByText(/streaks\.defaultTimezone: must be an IANA timezone/)
        .first()
        .waitFor();
      await screenshot(page, 'light-gamification-error');
      await page.getByLabel('Default timezone').fill('Europe/Paris');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Settings saved').first().waitFor();
      const settings = await adminApi('GET', '/achievements/settings');
      expect(settings.data.streaks.defaultTimezone).toBe('Europe/Paris');
      await screenshot(page, 'light-gamification');
    })
  );

  it(
    'runs a recalculation and the progress bar reaches 100%, also after a reload',
    guard('recalculate', async () => {
      const { page } = session;
      await page.goto(pluginUrl('/recalculate'));
      await page.getByRole('heading', { name: 'Recalculate', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Start recalculation' }).click();
      await page
        .getByTestId('recalc-progress')
        .getByText(/^100% · /)
        .waitFor({ timeout: 60_000 });
      await page.getByText('Finished').waitFor();
      await page.reload();
      await page
        .getByTestId('recalc-progress')
        .getByText(/^100% · /)
        .waitFor();
      await screenshot(page, 'light-recalculate');
    })
  );

  it(
    'categories: create, rename, reorder',
    guard('categories', async () => {
      const { page } = session;
      await page.goto(pluginUrl('/categories'));
      await page.getByRole('heading', { name: 'Categories', level: 1 }).waitFor();
      await page.getByLabel('New category').fill('Workshops');
      await page.getByRole('button', { name: 'Add' }).click();
      const row = page.locator('tr[data-category="workshops"]');
      await row.waitFor();
      await row.getByRole('textbox').fill('Live workshops');
      await row.getByRole('button', { name: 'Save the name of Workshops' }).click();
      await page.getByText('Category renamed').waitFor();
      const reordered = page.waitForResponse((r) =>
        r.url().endsWith('/achievements/categories/order')
      );
      await row.getByRole('button', { name: 'Move Live workshops up' }).click();
      await reordered;
      const list = (await adminApi('GET', '/achievements/categories')).data;
      const names = list.map((c: any) => c.name);
      expect(names[names.length - 2]).toBe('Live workshops');
      await screenshot(page, 'light-categories');
    })
  );

  it(
    'badge editor and Profile Layout in the dark theme and in French',
    guard('looks', async () => {
      const { page } = session;
      const { baseUrl } = e2eState();
      const rookie = (await adminApi('GET', '/achievements/badges')).data.find(
        (b: any) => b.slug === 'lesson-rookie'
      );
      await page.goto(pluginUrl(`/badges/${rookie.documentId}`));
      await setLook(page, { theme: 'dark' });
      await page.getByTestId('criteria-sentence').waitFor();
      await screenshot(page, 'dark-badge-editor');
      await page.goto(`${baseUrl}/admin/settings/achievements/profile-layout`);
      await page.getByRole('button', { name: 'Edit the Achievements card' }).click();
      await page.getByRole('dialog').getByText('Show the card on profiles').waitFor();
      await page.waitForTimeout(600); // let the dialog's opening animation finish
      await viewportShot(page, 'dark-profile-layout');

      await setLook(page, { theme: 'light', locale: 'fr' });
      await page.getByRole('heading', { name: 'Mise en page du profil', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Modifier la carte Succès' }).click();
      await page.getByText('Afficher la carte sur les profils').waitFor();
      await page.waitForTimeout(600);
      await viewportShot(page, 'fr-profile-layout');
      await page.goto(pluginUrl(`/badges/${rookie.documentId}`));
      await page.getByText('Ce qui le fait obtenir').waitFor();
      await screenshot(page, 'fr-badge-editor');
      await setLook(page, { theme: 'light', locale: 'en' });
    })
  );

  it(
    'an admin with only badge permissions sees no Customization links and gets 403 on settings',
    guard('restricted', async () => {
      const editor = await restrictedAdmin([ACTIONS.badgesManage]);
      expect((await http('GET', '/achievements/settings', { token: editor.token })).status).toBe(
        403
      );
      expect(
        (
          await http('PUT', '/achievements/settings', {
            token: editor.token,
            body: { enabled: false },
          })
        ).status
      ).toBe(403);
      expect((await http('GET', '/achievements/badges', { token: editor.token })).status).toBe(200);
      expect((await http('GET', '/achievements/members', { token: editor.token })).status).toBe(
        403
      );

      const other = await launchBrowser();
      try {
        const { page } = other;
        await loginAs(page, editor.email, editor.password);
        await page.getByRole('link', { name: 'Achievements' }).first().waitFor();
        await page.goto(`${e2eState().baseUrl}/admin/settings`);
        await page.getByRole('navigation', { name: 'Settings' }).waitFor();
        expect(await page.getByRole('link', { name: 'Gamification' }).count()).toBe(0);
        expect(await page.getByRole('link', { name: 'Profile Layout' }).count()).toBe(0);
        expect(await page.getByText('Customization', { exact: true }).count()).toBe(0);
        await page.goto(pluginUrl('/badges'));
        await page.getByRole('heading', { name: 'Badges', level: 1 }).waitFor();
        await page.getByRole('link', { name: 'Categories' }).waitFor();
        expect(await page.getByRole('link', { name: 'Members' }).count()).toBe(0);
        await screenshot(page, 'light-restricted-badges');
      } finally {
        await other.close();
      }
    })
  );
});
