import fs from 'fs';
import { ACTIONS } from '../../common/constants';
import {
  animationsDone,
  launchBrowser,
  loginAdmin,
  screenshot,
  type BrowserSession,
} from './helpers/browser';
import {
  adminApi,
  createPublishedLesson,
  http,
  loginAs,
  pluginUrl,
  registerMember,
  restrictedAdmin,
} from './helpers/admin';

/** A member's data from Members: Export downloads it, Erase asks, removes it and shows a receipt. */
describe("a member's data in the admin (production admin build, Chromium)", () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await launchBrowser();
    await adminApi('PUT', '/achievements/settings', { enabled: true });
    await loginAdmin(session.page);
  });

  afterAll(async () => {
    await adminApi('PUT', '/achievements/settings', { enabled: false }).catch(() => undefined);
    await session?.close();
  });

  it('exports a member as a JSON download, then erases them after a confirmation naming what goes', async () => {
    const { page } = session;
    try {
      const member = await registerMember();
      const lesson = await createPublishedLesson();
      const done = await http('POST', `/api/lessons/${lesson}/complete`, {
        token: member.jwt,
        body: {},
      });
      expect(done.status).toBeLessThan(300);
      await new Promise((r) => setTimeout(r, 1500)); // the engine evaluates just after the write

      await page.goto(pluginUrl('/members'));
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      await page.getByRole('searchbox').fill(member.user.username);
      await page.getByRole('searchbox').press('Enter');
      await page.getByRole('button', { name: member.user.username }).click();
      await page.getByRole('heading', { name: member.user.username, level: 2 }).waitFor();
      // What the member was told: the award of their first lesson, not seen yet.
      const told = page.getByTestId('member-notifications');
      await told.getByText('Earned First steps').waitFor();
      await told.getByText('Not seen').first().waitFor();
      await told.scrollIntoViewIfNeeded();
      await screenshot(page, 'light-members-notifications');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export data' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`achievements-member-${member.user.id}.json`);
      const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8'));
      expect(exported.schema).toBe('strapi-plugin-achievements/member-export');
      expect(exported.member.id).toBe(member.user.id);
      expect(exported.events.length).toBeGreaterThan(0);
      expect(exported.achievements.length).toBeGreaterThan(0);

      await page.getByRole('button', { name: 'Erase data' }).click();
      const dialog = page.getByRole('alertdialog');
      await dialog.getByText(`Erase every row about “${member.user.username}”?`).waitFor();
      await dialog
        .getByText(`${exported.events.length} facts in the ledger`, { exact: true })
        .waitFor();
      await dialog
        .getByText(`${exported.achievements.length} achievements`, { exact: true })
        .waitFor();
      await dialog.getByText('1 streak', { exact: true }).waitFor();
      await dialog.getByText('0 credentials', { exact: true }).waitFor();
      await dialog
        .getByText(`${exported.pointsEntries.length} points entries`, { exact: true })
        .waitFor();
      await dialog.getByText('0 email digests', { exact: true }).waitFor();
      await animationsDone(page);
      await screenshot(page, 'light-members-erase-confirm');
      await dialog.getByRole('button', { name: 'Erase data' }).click();

      const receipt = page.getByTestId('erase-receipt');
      await receipt.getByText(/^Erasure receipt #\d+: \d+ rows removed$/).waitFor();
      await receipt.getByText(/ledger\.deleted: \d+/).waitFor();
      await page.getByTestId('erasure-receipts').getByText('an admin').first().waitFor();
      await page.getByTestId('erasure-receipts').getByText('by Eve Tester').first().waitFor();
      await screenshot(page, 'light-members-erase-receipt');

      // The member kept their account: an admin may let them earn again, on the record.
      const erased = page.getByTestId('member-erased');
      await erased
        .getByText('This member’s data was erased: nothing is recorded for them.')
        .waitFor();
      await erased.getByRole('button', { name: 'Allow to earn again' }).click();
      await page.getByText('The member can earn badges again').first().waitFor();
      await erased.waitFor({ state: 'detached' });
      await page
        .getByTestId('erasure-receipts')
        .getByText('an admin, allowing the member to earn again')
        .first()
        .waitFor();
      await screenshot(page, 'light-members-tombstone-lifted');

      const after = await adminApi('GET', `/achievements/members/${member.user.id}/erase`);
      expect(after.data).toEqual({
        ledger: 0,
        ledgerActedIn: 0,
        achievements: 0,
        progress: 0,
        streaks: 0,
        preferences: 0,
        notifications: 0,
        points: 0,
        digests: 0,
        credentials: 0,
        credentialsInForce: 0,
        revokesCredentials: true,
      });
    } catch (error) {
      await screenshot(page, 'privacy-failure').catch(() => undefined);
      throw error;
    }
  });

  it('an admin whose role may only export opens Members and sees Export, nothing else', async () => {
    const exporter = await restrictedAdmin([ACTIONS.membersExport]);
    const own = await launchBrowser();
    const { page } = own;
    try {
      const member = await registerMember();
      await loginAs(page, exporter.email, exporter.password);
      await page.goto(pluginUrl());
      // The plugin's home lands on Members, the only page the role may open.
      await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Achievements' });
      await nav.getByRole('link', { name: 'Members' }).waitFor();
      expect(await nav.getByRole('link').allTextContents()).toEqual(['Members']);
      await page.getByRole('searchbox').fill(member.user.username);
      await page.getByRole('searchbox').press('Enter');
      await page.getByRole('button', { name: member.user.username }).click();
      await page.getByRole('heading', { name: member.user.username, level: 2 }).waitFor();
      await page.getByRole('button', { name: 'Export data' }).waitFor();
      expect(await page.getByRole('button', { name: 'Erase data' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Award', exact: true }).count()).toBe(0);
      expect(await page.getByRole('heading', { name: 'Bulk award' }).count()).toBe(0);
      await screenshot(page, 'light-members-export-only');
    } catch (error) {
      await screenshot(page, 'privacy-export-only-failure').catch(() => undefined);
      throw error;
    } finally {
      await own.close();
    }
  });
});
