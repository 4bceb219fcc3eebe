import { launchBrowser, loginAdmin, screenshot, type BrowserSession } from './helpers/browser';
import { adminApi } from './helpers/admin';
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

  it('"Revoke credentials on erase" is on by default; switched off, the erase setting is stored', async () => {
    const { page } = session;
    const { baseUrl } = e2eState();
    try {
      await page.goto(`${baseUrl}/admin/settings/achievements/gamification`);
      await page.getByRole('heading', { name: 'Data protection', level: 2 }).waitFor();
      const toggle = page.getByRole('checkbox', { name: 'Revoke credentials on erase' });
      expect(await toggle.isChecked()).toBe(true);
      await toggle.click();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Settings saved').waitFor();
      const stored = await adminApi('GET', '/achievements/settings');
      expect(stored.data.privacy).toEqual({ revokeCredentialsOnErase: false });
      await toggle.scrollIntoViewIfNeeded();
      await screenshot(page, 'gamification-privacy-off');
    } catch (error) {
      await screenshot(page, 'gamification-privacy-failure').catch(() => undefined);
      throw error;
    } finally {
      await adminApi('PUT', '/achievements/settings', {
        privacy: { revokeCredentialsOnErase: true },
      }).catch(() => undefined);
    }
  });
});
