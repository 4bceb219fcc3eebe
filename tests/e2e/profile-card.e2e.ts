import { launchBrowser, screenshot, type BrowserSession } from './helpers/browser';
import { adminApi, http, registerMember } from './helpers/admin';
import { e2eState } from './helpers/state';

/**
 * The drop-in <achievements-card> on the academy's public profile page follows the Profile
 * Layout settings: position (side, main, header) and badges to show (3, 10), and opens the
 * achievements modal with a locked badge's progress bar.
 */
const DAY = 86_400_000;
let session: BrowserSession;
let member: { id: number; username: string };

const setCard = async (card: Record<string, unknown>) => {
  await adminApi('PUT', '/achievements/settings', { card });
  // The server re-reads its settings at most once a second: wait until the public config says so.
  for (let i = 0; i < 50; i += 1) {
    const { body } = await http('GET', '/api/achievements/config');
    if (Object.entries(card).every(([k, v]) => body.card[k] === v)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`config did not follow ${JSON.stringify(card)}`);
};

beforeAll(async () => {
  session = await launchBrowser();
  await adminApi('PUT', '/achievements/settings', { enabled: true });
  member = (await registerMember()).user;
  const token = await adminApi('POST', '/admin/api-tokens', {
    name: `player-${member.id}`,
    description: 'the academy video player',
    type: 'custom',
    lifespan: null,
    permissions: ['plugin::achievements.events.ingest'],
  });
  const send = async (event: Record<string, unknown>) => {
    const res = await http('POST', '/api/achievements/events', {
      token: token.data.accessKey,
      body: { userId: member.id, ...event },
    });
    if (res.status !== 202)
      throw new Error(`event refused: ${res.status} ${JSON.stringify(res.body)}`);
  };
  const now = Date.now();
  // Seven consecutive days of lessons (streaks of 3 and 7), a module, a course, a post, a full
  // profile — and four comments of ten, so "Conversationalist" stays locked at 4/10.
  for (let d = 6; d >= 0; d -= 1) {
    await send({
      type: 'lesson.completed',
      key: `l-${d}`,
      subject: `lesson-${d}`,
      occurredAt: now - d * DAY,
    });
  }
  await send({ type: 'module.completed', key: 'm-1', subject: 'module-1' });
  await send({ type: 'course.completed', key: 'c-1', subject: 'course-1' });
  await send({ type: 'post.published', key: 'p-1', subject: 'post-1' });
  await send({
    type: 'profile.updated',
    key: 'profile-1',
    subject: 'me',
    data: { fields: { avatar: true, bio: true, socialLinks: true } },
  });
  for (let c = 0; c < 4; c += 1)
    await send({ type: 'comment.created', key: `comment-${c}`, subject: `comment-${c}` });
  for (let i = 0; i < 100; i += 1) {
    const card = await http('GET', `/api/achievements/users/${member.id}/card`);
    if (card.body.totalEarned >= 11) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the member did not earn the expected badges');
});

afterAll(async () => {
  await session?.close();
  await adminApi('PUT', '/achievements/settings', {
    enabled: false,
    card: { enabled: true, position: 'side', badgesToShow: 6 },
  });
});

describe('the <achievements-card> on the demo profile page', () => {
  for (const position of ['side', 'main', 'header'] as const) {
    for (const badgesToShow of [3, 10]) {
      it(`renders in the ${position} zone with ${badgesToShow} badges`, async () => {
        await setCard({ enabled: true, position, badgesToShow });
        const { page } = session;
        await page.goto(`${e2eState().baseUrl}/profile.html?user=${member.id}`);
        await page.locator('achievements-card[data-state="ready"]').waitFor();
        await page.locator(`#zone-${position} achievements-card`).waitFor();
        expect(await page.locator('achievements-card #badges li').count()).toBe(badgesToShow);
        await screenshot(page, `card-${position}-${badgesToShow}`);
      });
    }
  }

  it('opens the achievements modal, with a locked badge and its progress bar', async () => {
    await setCard({ enabled: true, position: 'main', badgesToShow: 6 });
    const { page } = session;
    await page.goto(`${e2eState().baseUrl}/profile.html?user=${member.id}`);
    await page.locator('achievements-card[data-state="ready"]').waitFor();
    await page.locator('achievements-card #open').click();
    const bar = page.locator(
      'achievements-card [role="progressbar"][aria-label^="Conversationalist"]'
    );
    await bar.waitFor();
    expect(await bar.getAttribute('aria-valuenow')).toBe('4');
    expect(await bar.getAttribute('aria-valuemax')).toBe('10');
    await bar.scrollIntoViewIfNeeded();
    await screenshot(page, 'card-modal-locked-progress');
    await page.keyboard.press('Escape');
    await page
      .locator('achievements-card dialog[open]')
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    expect(await page.locator('achievements-card dialog[open]').count()).toBe(0);
  });

  it('is hidden when the card is switched off', async () => {
    await setCard({ enabled: false });
    const { page } = session;
    await page.goto(`${e2eState().baseUrl}/profile.html?user=${member.id}`);
    // Switched off, the element hides itself and leaves no empty box in the page.
    await page.locator('achievements-card[data-state="disabled"]').waitFor({ state: 'attached' });
    expect(await page.locator('achievements-card').isHidden()).toBe(true);
    expect(await page.locator('achievements-card #badges li').count()).toBe(0);
  });
});
