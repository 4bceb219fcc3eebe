import { ACTIONS } from '../../common/constants';
import { shiftPeriodLabel } from '../../engine/insights';
import { launchBrowser, loginAdmin, screenshot, type BrowserSession } from './helpers/browser';
import {
  adminApi,
  choose,
  createPublishedLesson,
  http,
  pluginUrl,
  registerMember,
  restrictedAdmin,
  loginAs,
  setLook,
  viewportShot,
} from './helpers/admin';

type Distribution = { badge: { name: string }; buckets: Array<{ members: number }> };

/** The hidden table a chart carries as its text alternative, as rows of cell texts. */
const chartData = async (page: BrowserSession['page'], id: string) =>
  page
    .getByTestId(`${id}-data`)
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.textContent ?? ''))
    );

/**
 * Achievements → Leaderboards and → Insights on the production admin build: members who
 * completed lessons appear on the site board with the points the API gives, a past week stays
 * readable, the charts' text alternatives hold what the admin API counts, and the progress
 * chart follows the chosen badge. Screenshots light and dark.
 */
describe('Leaderboards and Insights (production admin build, Chromium)', () => {
  let session: BrowserSession;
  let first: { user: { id: number; username: string } };
  let second: { user: { id: number; username: string } };

  beforeAll(async () => {
    await adminApi('PUT', '/achievements/settings', { enabled: true });
    [first, second] = [await registerMember(), await registerMember()];
    const lessons = [await createPublishedLesson(), await createPublishedLesson()];
    const complete = async (member: any, lesson: string) => {
      const res = await http('POST', `/api/lessons/${lesson}/complete`, {
        token: member.jwt,
        body: {},
      });
      expect(res.status).toBeLessThan(300);
    };
    await complete(first, lessons[0]);
    await complete(first, lessons[1]);
    await complete(second, lessons[0]);
    await new Promise((r) => setTimeout(r, 2000)); // the engine evaluates just after the writes
    session = await launchBrowser();
    await loginAdmin(session.page);
  });

  afterAll(async () => {
    await adminApi('PUT', '/achievements/settings', { enabled: false }).catch(() => undefined);
    await session?.close();
  });

  it('shows the site board of this week as members see it, and a past week', async () => {
    const { page } = session;
    const api = (await adminApi('GET', '/achievements/leaderboards/site?period=week')).data;
    const pointsOf = (username: string) =>
      api.data.find((e: any) => e.user.username === username)?.points;
    expect(pointsOf(first.user.username)).toBeGreaterThan(pointsOf(second.user.username));

    await page.goto(pluginUrl('/leaderboards'));
    await page.getByRole('heading', { name: 'Leaderboards', level: 1 }).waitFor();
    for (const member of [first, second]) {
      const row = page.locator(`[data-board-member="${member.user.username}"]`);
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      const entry = api.data.find((e: any) => e.user.username === member.user.username);
      expect(cells).toEqual([
        String(entry.rank),
        member.user.username,
        String(entry.points),
        entry.level.name,
      ]);
    }
    await page.getByTestId('period-label').getByText(api.period.label).waitFor();
    await page.getByTestId('points-rules').getByText('lesson.completed').waitFor();
    await screenshot(page, 'light-leaderboards');

    await page.getByRole('button', { name: 'Previous' }).click();
    const previous = (
      await adminApi(
        'GET',
        `/achievements/leaderboards/site?period=week&at=${shiftPeriodLabel(api.period.label, -1)}`
      )
    ).data;
    expect(previous.period.label).not.toBe(api.period.label);
    await page.getByTestId('period-label').getByText(previous.period.label).waitFor();
    await page
      .locator(`[data-board-member="${first.user.username}"]`)
      .waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'All time' }).click();
    await page.locator(`[data-board-member="${first.user.username}"]`).waitFor();
  });

  it('draws the insights with text alternatives; the progress chart follows the chosen badge', async () => {
    const { page } = session;
    const overview = (await adminApi('GET', '/achievements/insights?weeks=12&days=30')).data;
    const thisWeek = overview.earnedPerWeek.weeks[overview.earnedPerWeek.weeks.length - 1];
    expect(thisWeek.total).toBeGreaterThanOrEqual(2); // both members earned their first lesson's badge
    const today = overview.activePerDay[overview.activePerDay.length - 1];
    expect(today.members).toBeGreaterThanOrEqual(2);

    await page.goto(pluginUrl('/insights'));
    await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();
    await page.getByTestId('insights-earned').locator('svg.recharts-surface').first().waitFor();
    const earned = await chartData(page, 'insights-earned');
    expect(earned).toHaveLength(12);
    expect(earned[11][0]).toBe(thisWeek.label);
    expect(earned[11][earned[11].length - 1]).toBe(String(thisWeek.total));
    const active = await chartData(page, 'insights-active');
    expect(active[29]).toEqual([today.label, String(today.members)]);
    const ranked = await chartData(page, 'insights-ranked');
    expect(ranked[0]).toEqual([
      overview.mostEarned[0].name,
      String(overview.mostEarned[0].earnedCount),
      String(overview.mostEarned[0].rarity),
    ]);

    // Two badges whose distributions differ: one the members advanced on, one they did not.
    const dists: Array<[string, Distribution]> = [];
    for (const b of overview.badges)
      dists.push([
        b.name,
        (await adminApi('GET', `/achievements/insights/progress/${b.documentId}`)).data,
      ]);
    const withProgress = dists.find(([, d]) => d.buckets.some((x) => x.members > 0))!;
    const other = dists.find(
      ([, d]) => JSON.stringify(d.buckets) !== JSON.stringify(withProgress[1].buckets)
    )!;
    expect(withProgress).toBeDefined();
    expect(other).toBeDefined();
    for (const [name, dist] of [withProgress, other]) {
      await choose(page, 'Badge', name);
      await page.locator('#insights-progress-summary').getByText(`${name}:`).waitFor();
      const rows = await chartData(page, 'insights-progress');
      expect(rows.map((r) => Number(r[1]))).toEqual(dist.buckets.map((x) => x.members));
    }
    await choose(page, 'Badge', withProgress[0]);
    await page.locator('#insights-progress-summary').getByText(`${withProgress[0]}:`).waitFor();
    await screenshot(page, 'light-insights');
    await page.getByTestId('insights-active').scrollIntoViewIfNeeded();
    await viewportShot(page, 'light-insights-lower');

    await setLook(page, { theme: 'dark' });
    await page.getByTestId('insights-earned').locator('svg.recharts-surface').first().waitFor();
    await screenshot(page, 'dark-insights');
    await page.getByTestId('insights-active').scrollIntoViewIfNeeded();
    await viewportShot(page, 'dark-insights-lower');
    await page.goto(pluginUrl('/leaderboards'));
    await page.locator(`[data-board-member="${first.user.username}"]`).waitFor();
    await screenshot(page, 'dark-leaderboards');
    await setLook(page, { theme: 'light' });
  });

  it('edits points per event in Settings → Gamification, and the Leaderboards page shows it', async () => {
    const { page } = session;
    const before = (await adminApi('GET', '/achievements/settings')).data.points;
    try {
      await page.goto(pluginUrl('/leaderboards'));
      await page.getByRole('link', { name: 'Change them in Settings → Gamification' }).click();
      await page.getByRole('heading', { name: 'Gamification', level: 1 }).waitFor();
      const section = page.getByTestId('settings-points');
      await section.scrollIntoViewIfNeeded();
      const rule = section.locator('[data-points-rule="post.published"]');
      await rule.getByRole('textbox', { name: 'Points', exact: true }).fill('7');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Settings saved').waitFor();
      await screenshot(page, 'light-settings-points');
      expect((await adminApi('GET', '/achievements/settings')).data.points.perEvent).toMatchObject({
        'post.published': { points: 7, dailyCap: before.perEvent['post.published'].dailyCap },
      });
      await page.goto(pluginUrl('/leaderboards'));
      const row = page.getByTestId('points-rules').locator('tr', { hasText: 'post.published' });
      await row.getByText('7', { exact: true }).waitFor();
      expect(await row.locator('td').allTextContents()).toEqual([
        'post.published',
        '7',
        String(before.perEvent['post.published'].dailyCap),
      ]);
    } finally {
      await adminApi('PUT', '/achievements/settings', { points: { perEvent: before.perEvent } });
    }
  });

  it("shows a member's points history and adjusts their points with a reason", async () => {
    const { page } = session;
    const before = (await adminApi('GET', `/achievements/members/${first.user.id}/points`)).data;
    await page.goto(pluginUrl('/members'));
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await page.getByRole('searchbox').fill(first.user.username);
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('button', { name: first.user.username }).click();
    const history = page.getByTestId('member-points-history');
    await history.getByTestId('member-points-total').getByText(`${before.points} points`).waitFor();
    expect(await history.locator('[data-points-entry]').count()).toBe(before.data.length);

    const form = history.getByTestId('points-adjust');
    await form.getByRole('textbox', { name: /Points to add/ }).fill('12');
    await form.getByRole('textbox', { name: 'Reason' }).fill('Helped at the open day');
    await form.getByRole('button', { name: 'Adjust' }).click();
    await history.getByText(`${before.points + 12} points`).waitFor();
    const newest = history.locator('[data-points-entry]').first();
    expect(await newest.locator('td').allTextContents()).toEqual([
      'Adjustment',
      '—',
      '+12',
      'Helped at the open day',
      expect.any(String),
    ]);
    expect(await form.getByRole('textbox', { name: /Points to add/ }).inputValue()).toBe('');
    expect(await form.getByRole('textbox', { name: 'Reason' }).inputValue()).toBe('');
    await history.scrollIntoViewIfNeeded();
    await viewportShot(page, 'light-member-points');
  });

  it('an admin without insights.read sees neither page in the menu and is refused the page', async () => {
    const editor = await restrictedAdmin([ACTIONS.badgesManage]);
    const other = await launchBrowser();
    try {
      const { page } = other;
      await loginAs(page, editor.email, editor.password);
      await page.goto(pluginUrl('/badges'));
      await page.getByRole('heading', { name: 'Badges', level: 1 }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Achievements' });
      await nav.getByRole('link', { name: 'Badges' }).waitFor();
      expect(await nav.getByRole('link', { name: 'Insights' }).count()).toBe(0);
      expect(await nav.getByRole('link', { name: 'Leaderboards' }).count()).toBe(0);
      await page.goto(pluginUrl('/insights'));
      await page.getByText("You don't have the permissions to access that content").waitFor();
    } finally {
      await other.close();
    }
  });

  it('an admin with only leaderboards.read lands on Leaderboards from the main menu', async () => {
    const viewer = await restrictedAdmin([ACTIONS.leaderboardsRead]);
    const other = await launchBrowser();
    try {
      const { page } = other;
      await loginAs(page, viewer.email, viewer.password);
      await page.goto(pluginUrl());
      await page.getByRole('heading', { name: 'Leaderboards', level: 1 }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Achievements' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(['Leaderboards']);
    } finally {
      await other.close();
    }
  });
});
