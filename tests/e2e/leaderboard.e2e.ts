import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from './helpers/browser';
import { adminApi, http, registerMember, unique, viewportShot } from './helpers/admin';
import { e2eState } from './helpers/state';

/**
 * <achievements-leaderboard> on the academy's leaderboard page (/leaderboard.html): members
 * given points by an admin (this week) appear in rank order; the switcher and previous/next
 * move between periods, by mouse and by keyboard; a member signed in on /learn.html who
 * follows the navigation's link sees their row highlighted, and one far down the board sees
 * "Your rank" below the top 10. Light in English, dark in French, screenshots of both.
 */
let session: BrowserSession;
type Member = Awaited<ReturnType<typeof registerMember>>;
let top: Member[];
let low: Member;

const board = (page: Page) => page.locator('#site-board');
const entries = (page: Page) => board(page).locator('li.entry');
const label = (page: Page) => board(page).locator('.nav__label');

/** Waits until the site board finished loading (ready or empty). */
const loaded = async (page: Page) =>
  page.locator('#site-board:is([data-state="ready"], [data-state="empty"])').waitFor();

const give = async (member: Member, amount: number) =>
  adminApi('POST', `/achievements/members/${member.user.id}/points`, {
    amount,
    reason: 'e2e leaderboard',
  });

const signIn = async (page: Page, member: Member, query = '') => {
  await page.goto(`${e2eState().baseUrl}/learn.html${query}`);
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.locator('input[name="identifier"]').fill(member.user.username);
  await page.locator('input[name="password"]').fill('Member-Passw0rd!');
  await page.locator('#sign-in button[type="submit"]').click();
  await page.locator('#lessons').waitFor();
};

beforeAll(async () => {
  session = await launchBrowser();
  await adminApi('PUT', '/achievements/settings', { enabled: true });
  // Twelve members far above anything else on this server (other files give tens of points),
  // in a known order; one with a single point, below the top 10.
  const tag = unique();
  top = [];
  for (let i = 0; i < 12; i += 1) top.push(await registerMember(`top${i}_${tag}`));
  for (const [i, member] of top.entries()) await give(member, 900_000 - i * 1_000);
  low = await registerMember(`low_${tag}`);
  await give(low, 1);
});

afterAll(async () => {
  await session?.close();
  await adminApi('PUT', '/achievements/settings', { enabled: false });
});

it('light, English: the ranking, the periods by mouse and keyboard, and the signed-in member', async () => {
  const { page } = session;
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await signIn(page, top[1], '?theme=light');
  // The academy's navigation leads there, with the member still signed in.
  await page.getByRole('link', { name: 'Leaderboard' }).click();
  await page.waitForURL(/\/leaderboard\.html/);
  await loaded(page);

  // The top 10 of the week, best first, with competition ranks, levels and points.
  expect(await entries(page).count()).toBe(10);
  const names = await entries(page).locator('.entry__name').allTextContents();
  expect(names.slice(0, 3)).toEqual([
    top[0].user.username,
    `${top[1].user.username} (you)`,
    top[2].user.username,
  ]);
  expect(await entries(page).locator('.entry__rank').allTextContents()).toEqual(
    Array.from({ length: 10 }, (_, i) => String(i + 1))
  );
  expect(await entries(page).first().locator('.entry__points').textContent()).toBe('900,000 pts');
  expect(await entries(page).first().locator('.entry__level').textContent()).not.toBe('');
  // The signed-in member's row is highlighted, and their rank is said below.
  const mine = board(page).locator('li[aria-current="true"]');
  expect(await mine.count()).toBe(1);
  expect(await mine.getAttribute('data-user')).toBe(String(top[1].user.id));
  expect(await mine.evaluate((li) => getComputedStyle(li).backgroundColor)).not.toBe(
    'rgba(0, 0, 0, 0)'
  );
  expect(await board(page).locator('.rank strong').textContent()).toMatch(/^Your rank: #2 of \d+/);
  expect(await label(page).getAttribute('data-label')).toMatch(/^\d{4}-W\d{2}$/);
  const thisWeek = (await label(page).getAttribute('data-label'))!;
  await viewportShot(page, 'leaderboard-light-en');

  // Keyboard: the selected tab takes the focus; arrows and End select and load.
  const selected = board(page).locator('[role="tab"][aria-selected="true"]');
  await selected.focus();
  expect(await selected.textContent()).toBe('This week');
  await page.keyboard.press('ArrowRight');
  await page.locator('#site-board[data-state="ready"] .nav__label[data-label$="-12"]').waitFor();
  expect(await selected.textContent()).toBe('This month');
  expect(
    await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent)
  ).toBe('This month');
  await page.keyboard.press('End');
  await page.locator('#site-board[data-state="ready"] .nav__label[data-label="all"]').waitFor();
  expect(await label(page).textContent()).toBe('Since the beginning');
  expect(await board(page).locator('[data-nav="previous"]').isDisabled()).toBe(true);
  expect(await entries(page).first().locator('.entry__name').textContent()).toBe(
    top[0].user.username
  );

  // Back to the week, then Tab to "Previous period" and Enter: last week, where this file's
  // members have no points (other files' may).
  await page.keyboard.press('Home');
  await page.locator(`#site-board .nav__label[data-label="${thisWeek}"]`).waitFor();
  await page.keyboard.press('Tab');
  expect(
    await page.evaluate(() =>
      document.activeElement?.shadowRoot?.activeElement?.getAttribute('data-nav')
    )
  ).toBe('previous');
  // The current period has no next one yet.
  expect(await board(page).locator('[data-nav="next"]').isDisabled()).toBe(true);
  await page.keyboard.press('Enter');
  const [year, week] = thisWeek.split('-W').map(Number);
  const lastWeek = week > 1 ? `${year}-W${String(week - 1).padStart(2, '0')}` : `${year - 1}-W52`; // (or W53)
  await page
    .locator(
      `#site-board:is([data-state="ready"], [data-state="empty"]) .nav__label[data-label^="${year - (week > 1 ? 0 : 1)}-W"]:not([data-label="${thisWeek}"])`
    )
    .waitFor();
  if (week > 1) expect(await label(page).getAttribute('data-label')).toBe(lastWeek);
  const shown = await entries(page).locator('.entry__name').allTextContents();
  for (const member of top) expect(shown).not.toContain(member.user.username);
  if (shown.length === 0)
    expect(await board(page).locator('.message').textContent()).toBe(
      'No points in this period yet.'
    );
  // Past periods stay readable, and next brings this week back.
  await board(page).locator('[data-nav="next"]').click();
  await page
    .locator(`#site-board[data-state="ready"] .nav__label[data-label="${thisWeek}"]`)
    .waitFor();
  expect(await entries(page).count()).toBe(10);
});

it('dark, French: a member outside the top 10 sees their own rank', async () => {
  const { page } = session;
  await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'no-preference' });
  await signIn(page, low, '?theme=dark&lang=fr');
  await page.goto(`${e2eState().baseUrl}/leaderboard.html?theme=dark&lang=fr`);
  await loaded(page);
  expect(await page.locator('h1').textContent()).toBe('Classement');
  expect(await board(page).locator('[role="tab"][aria-selected="true"]').textContent()).toBe(
    'Cette semaine'
  );
  expect(await entries(page).first().locator('.entry__points').textContent()).toMatch(
    /^900\s000 pts$/
  );
  // Not among the ten shown, and told where they stand.
  expect(await board(page).locator('li[aria-current="true"]').count()).toBe(0);
  const rank = await http('GET', '/api/achievements/me/rank?period=week', { token: low.jwt });
  expect(rank.body.rank).toBeGreaterThan(10);
  expect(await board(page).locator('.rank strong').textContent()).toBe(
    `Votre rang : ${rank.body.rank}e sur ${rank.body.of}`
  );
  const background = await board(page)
    .locator('section.board')
    .evaluate((s) => getComputedStyle(s).backgroundColor);
  expect(background).toBe('rgb(28, 28, 38)');
  await viewportShot(page, 'leaderboard-dark-fr');
});
