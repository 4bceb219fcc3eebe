import { launchBrowser, loginAdmin, screenshot, type BrowserSession } from './helpers/browser';
import { e2eState } from './helpers/state';

/** What the frontends read: the public plugin config. */
const publicConfig = async (): Promise<{ enabled: boolean }> => {
  const res = await fetch(`${e2eState().baseUrl}/api/achievements/config`);
  expect(res.status).toBe(200);
  return (await res.json()) as { enabled: boolean };
};

describe('Settings → Customization → Gamification (production admin build, Chromium)', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await launchBrowser();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('an admin switches achievements on; the choice survives a reload and reaches the REST API', async () => {
    const { page } = session;
    const { baseUrl } = e2eState();
    expect((await publicConfig()).enabled).toBe(false); // a fresh install starts switched off

    try {
      await loginAdmin(page);

      // Reach the page the way an admin does: main menu → Settings → Customization → Gamification.
      await page.getByRole('link', { name: 'Settings', exact: true }).click();
      await page.waitForURL(/\/admin\/settings(\/|$)/);
      const customization = page
        .getByRole('navigation', { name: 'Settings' })
        .getByRole('listitem')
        .filter({ has: page.getByText('Customization', { exact: true }) });
      await customization.getByRole('link', { name: 'Gamification', exact: true }).click();
      await page.waitForURL(`${baseUrl}/admin/settings/achievements/gamification`);
      await page.getByRole('heading', { name: 'Gamification', level: 1 }).waitFor();

      const toggle = page.getByRole('checkbox', { name: 'Enable Achievements' });
      const save = page.getByRole('button', { name: 'Save' });
      await toggle.waitFor();
      expect(await toggle.isChecked()).toBe(false);
      expect(await save.isDisabled()).toBe(true); // nothing to save yet

      await toggle.click();
      expect(await toggle.isChecked()).toBe(true);
      expect(await save.isEnabled()).toBe(true);
      await save.click();
      await page.getByText('Settings saved').waitFor();

      await page.reload();
      await page.getByRole('checkbox', { name: 'Enable Achievements', checked: true }).waitFor();
      expect(await save.isDisabled()).toBe(true); // what is shown is what is stored

      expect((await publicConfig()).enabled).toBe(true);
      await screenshot(page, 'gamification-enabled');
    } catch (error) {
      await screenshot(page, 'gamification-failure').catch(() => undefined);
      throw error;
    }
  });
});
