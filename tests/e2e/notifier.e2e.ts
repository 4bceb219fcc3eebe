import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from './helpers/browser';
import {
  adminApi,
  createPublishedLesson,
  http,
  registerMember,
  viewportShot,
} from './helpers/admin';
import { e2eState } from './helpers/state';

/**
 * <achievements-notifier> on the academy's member page (/learn.html): a member signs in,
 * completes a lesson, and the toast of the badge it earned appears with its artwork; the bell
 * counts it, and dismissing (button or Escape) marks it seen until the bell shows nothing.
 * Light in English, dark in French, screenshots of both.
 */
let session: BrowserSession;

const notifier = (page: Page) => page.locator('achievements-notifier');
const toasts = (page: Page) => notifier(page).locator('.toast');
const bell = (page: Page) => notifier(page).locator('button.bell');
const bellCount = (page: Page) => notifier(page).locator('.bell__count');

/** Polls `read` until it returns `expected` (or fails with the last value after 10 s). */
const until = async <T>(read: () => Promise<T>, expected: T) => {
  let last: T | undefined;
  for (let i = 0; i < 100; i += 1) {
    last = await read();
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toBe(expected);
};

const unseenOf = async (jwt: string): Promise<number> =>
  (await http('GET', '/api/achievements/me/notifications/count', { token: jwt })).body.unseen;

/** Signs the member in on the page and completes `lesson` there; returns when it is done. */
const completeOnPage = async (
  page: Page,
  query: string,
  member: { user: { username: string } },
  lesson: { documentId: string; title: string }
) => {
  await page.goto(`${e2eState().baseUrl}/learn.html${query}`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.locator('input[name="identifier"]').fill(member.user.username);
  await page.locator('input[name="password"]').fill('Member-Passw0rd!');
  await page.locator('#sign-in button[type="submit"]').click();
  // The stream is open before the lesson is completed: the toast must come from it.
  await page.locator('achievements-notifier[data-state="live"]').waitFor();
  const complete = page.locator(`button[data-lesson="${lesson.documentId}"]`);
  await complete.click();
  await page.locator(`button[data-lesson="${lesson.documentId}"]:has-text("✓")`).waitFor();
};

/** The toast shows the badge's artwork, loaded (not a broken image). */
const expectArtwork = async (page: Page) => {
  const art = toasts(page).first().locator('img');
  await art.waitFor();
  expect(await art.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(
    true
  );
};

beforeAll(async () => {
  session = await launchBrowser();
  await adminApi('PUT', '/achievements/settings', { enabled: true });
});

afterAll(async () => {
  await session?.close();
  await adminApi('PUT', '/achievements/settings', { enabled: false });
});

it('light, English: completing a lesson pops the toast with its artwork; dismissing empties the bell', async () => {
  const { page } = session;
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  const member = await registerMember();
  const title = `Semantic HTML ${Date.now()}`;
  const lesson = { documentId: await createPublishedLesson(title), title };
  await completeOnPage(page, '?theme=light', member, lesson);

  const toast = toasts(page).filter({ hasText: 'You earned First steps · +25 points' });
  await toast.waitFor();
  await expectArtwork(page);
  // A polite live region holds it, and nothing took the focus from the page.
  const region = notifier(page).locator('[role="status"]');
  expect(await region.getAttribute('aria-live')).toBe('polite');
  // (The Complete button disabled itself, so the focus is on the page, never in the toasts.)
  expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe(
    'ACHIEVEMENTS-NOTIFIER'
  );
  const shown = await toasts(page).count();
  await until(() => bellCount(page).textContent(), String(shown));
  expect(await bell(page).getAttribute('aria-label')).toBe(
    `Notifications, ${shown === 1 ? '1 unseen' : `${shown} unseen`}`
  );
  await viewportShot(page, 'notifier-toast-light');

  // The bell's list names it too.
  await bell(page).click();
  await notifier(page).locator('.panel .item').filter({ hasText: 'First steps' }).waitFor();
  await viewportShot(page, 'notifier-list-light');
  await page.keyboard.press('Escape');
  await notifier(page).locator('.panel').waitFor({ state: 'hidden' });

  // Dismissed: the first by Escape, the rest by their button; each is marked seen.
  await page.keyboard.press('Escape');
  for (let left = shown - 1; left > 0; left -= 1)
    await toasts(page).first().getByRole('button', { name: 'Dismiss' }).click();
  await toasts(page).first().waitFor({ state: 'detached' });
  await bellCount(page).waitFor({ state: 'detached' });
  expect(await bell(page).getAttribute('aria-label')).toBe('Notifications, none unseen');
  await until(() => unseenOf(member.jwt), 0);
});

it('dark, French: the same toast in French, on a dark page', async () => {
  const { page } = session;
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'no-preference' });
  const member = await registerMember();
  const title = `Flexbox ${Date.now()}`;
  const lesson = { documentId: await createPublishedLesson(title), title };
  await completeOnPage(page, '?theme=dark&lang=fr', member, lesson);

  await toasts(page).filter({ hasText: 'Vous avez obtenu First steps · +25 points' }).waitFor();
  await expectArtwork(page);
  const background = await toasts(page)
    .first()
    .evaluate((t) => getComputedStyle(t).backgroundColor);
  expect(background).toBe('rgb(28, 28, 38)');
  await viewportShot(page, 'notifier-toast-dark');
  await bell(page).click();
  await notifier(page).locator('.panel .item--unseen').first().waitFor();
  await viewportShot(page, 'notifier-list-dark');
  await notifier(page).getByRole('button', { name: 'Tout marquer comme vu' }).click();
  await bellCount(page).waitFor({ state: 'detached' });
  // Seen from the list: its toasts go too.
  await toasts(page).first().waitFor({ state: 'detached' });
  await until(() => unseenOf(member.jwt), 0);
});
