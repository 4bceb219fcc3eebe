import { launchBrowser, loginAdmin, screenshot, type BrowserSession } from './helpers/browser';
import { e2eState } from './helpers/state';

/**
 * Settings → Gamification → Notifications (production admin build, Chromium): an admin turns
 * email digests on and picks how they are sent; the choice survives a reload.
 */
describe('Settings → Gamification → Notifications', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await launchBrowser();
  });

  afterAll(async () => {
    await session?.close();
  });

  it('an admin turns email digests on, weekly at 18:00 from “LMS Academy”; a reload shows it', async () => {
    const { page } = session;
    const { baseUrl } = e2eState();
    try {
      await loginAdmin(page);
      await page.goto(`${baseUrl}/admin/settings/achievements/gamification`);
      await page.getByRole('heading', { name: 'Notifications', level: 2 }).waitFor();

      const email = page.getByRole('checkbox', { name: 'Email digests' });
      expect(await email.isChecked()).toBe(false); // off by default
      await email.click();
      await page.getByRole('combobox', { name: 'Frequency' }).click();
      await page.getByRole('option', { name: 'Weekly' }).click();
      // The day a weekly digest leaves appears once weekly is chosen (Monday by default).
      expect(await page.getByRole('combobox', { name: 'Send day' }).textContent()).toContain(
        'Monday'
      );
      await page.getByRole('combobox', { name: 'Send day' }).click();
      await page.getByRole('option', { name: 'Friday' }).click();
      await page.getByRole('combobox', { name: 'Send hour' }).click();
      await page.getByRole('option', { name: '18:00' }).click();
      await page.getByRole('textbox', { name: 'Sender name' }).fill('LMS Academy');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Settings saved').waitFor();

      await page.reload();
      await page.getByRole('checkbox', { name: 'Email digests', checked: true }).waitFor();
      expect(await page.getByRole('combobox', { name: 'Frequency' }).textContent()).toContain(
        'Weekly'
      );
      expect(await page.getByRole('combobox', { name: 'Send day' }).textContent()).toContain(
        'Friday'
      );
      expect(await page.getByRole('combobox', { name: 'Send hour' }).textContent()).toContain(
        '18:00'
      );
      expect(await page.getByRole('textbox', { name: 'Sender name' }).inputValue()).toBe(
        'LMS Academy'
      );
      await page.getByRole('heading', { name: 'Notifications', level: 2 }).scrollIntoViewIfNeeded();
      await screenshot(page, 'notifications-settings');
    } catch (error) {
      await screenshot(page, 'notifications-settings-failure').catch(() => undefined);
      throw error;
    }
  });
});
