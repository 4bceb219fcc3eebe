import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshot, type BrowserSession } from './helpers/browser';
import { adminApi, registerMember } from './helpers/admin';
import { e2eState } from './helpers/state';

/**
 * Must-show 8 of issue 14: a member downloads their Open Badges credential from the card's
 * modal, and the academy's verification page (public/verify.html) checks it in the browser
 * against the keys and status list this server publishes: verified; a tampered copy fails; the
 * JWT form verifies; after a revocation the same file says revoked (in English and French).
 */
const BADGE = 'complete-bio';
/** did:web means https on this host; the page maps it to the server it was loaded from. */
const ISSUER_HOST = 'academy.example';

let session: BrowserSession;
let member: Awaited<ReturnType<typeof registerMember>>;
let badge: { documentId: string; name: string };
const downloads = fs.mkdtempSync(path.join(os.tmpdir(), 'achievements-e2e-credentials-'));
/** Every URL the browser asked for: none may leave this server. */
const requested: string[] = [];

const waitForResult = async (page: Page) => {
  const result = page.locator('#result[data-outcome]');
  await result.waitFor();
  const detail = page.locator('#result .detail');
  if (await detail.count()) console.log(`verification detail: ${await detail.textContent()}`);
  return {
    outcome: await result.getAttribute('data-outcome'),
    title: await page.locator('#result-title').textContent(),
  };
};

/** Opens the member's modal on the profile page (signed in: the card's `token`). */
const openModal = async (page: Page) => {
  await page.goto(`${e2eState().baseUrl}/profile.html?user=${member.user.id}`);
  await page.locator('achievements-card[data-state="ready"]').waitFor();
  await page.evaluate((jwt) => {
    (document.querySelector('achievements-card') as any).token = jwt;
  }, member.jwt);
  await page.locator('achievements-card[data-state="ready"]').waitFor();
  await page.locator('achievements-card #open').click();
  await page.locator('achievements-card dialog[data-state="ready"]').waitFor();
};

const download = async (page: Page, format: 'json' | 'jwt'): Promise<string> => {
  const button = page.locator(
    `achievements-card li[data-slug="${BADGE}"] button[data-format="${format}"]`
  );
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(file.suggestedFilename()).toBe(`${BADGE}-credential.${format}`);
  const target = path.join(downloads, file.suggestedFilename());
  await file.saveAs(target);
  return target;
};

const verifyPage = async (page: Page, lang = 'en') => {
  await page.goto(`${e2eState().baseUrl}/verify.html?lang=${lang}`);
  await page.locator('#verify-button').waitFor();
};

beforeAll(async () => {
  session = await launchBrowser();
  session.page.on('request', (request) => requested.push(request.url()));
  await adminApi('PUT', '/achievements/settings', { enabled: true });
  await adminApi('PUT', '/achievements/credentials/settings', {
    credentials: { enabled: true, host: ISSUER_HOST, issuer: { name: 'LMS Academy' } },
  });
  member = await registerMember();
  const badges = await adminApi('GET', '/achievements/badges');
  badge = badges.data.find((b: { slug: string }) => b.slug === BADGE);
  await adminApi('POST', `/achievements/members/${member.user.id}/award`, {
    badge: badge.documentId,
  });
});

afterAll(async () => {
  await session?.close();
  fs.rmSync(downloads, { recursive: true, force: true });
  await adminApi('PUT', '/achievements/credentials/settings', {
    credentials: { enabled: false, host: '' },
  }).catch(() => undefined);
  await adminApi('PUT', '/achievements/settings', { enabled: false }).catch(() => undefined);
});

describe('a credential from the card, checked on the verification page', () => {
  let jsonFile: string;
  let jwtFile: string;

  it('downloads the credential (.json and JWT) from the modal of an earned badge', async () => {
    const { page } = session;
    await openModal(page);
    jsonFile = await download(page, 'json');
    jwtFile = await download(page, 'jwt');
    const credential = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.issuer.id).toBe(`did:web:${ISSUER_HOST}:api:achievements`);
    expect(fs.readFileSync(jwtFile, 'utf8')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await page
      .locator(`achievements-card li[data-slug="${BADGE}"] .credential`)
      .scrollIntoViewIfNeeded();
    await screenshot(page, 'credential-modal-download');
  });

  it('shows "Verified" with the badge and issuer for the uploaded file', async () => {
    const { page } = session;
    await verifyPage(page);
    await page.locator('#credential-file').setInputFiles(jsonFile);
    expect(await waitForResult(page)).toEqual({ outcome: 'verified', title: 'Verified' });
    expect(await page.locator('#badge-name').textContent()).toBe(badge.name);
    await page.locator('#result dd', { hasText: 'LMS Academy' }).waitFor();
    await screenshot(page, 'credential-verified');
  });

  it('verifies the JWT form too', async () => {
    const { page } = session;
    await verifyPage(page);
    await page.locator('#credential-file').setInputFiles(jwtFile);
    expect(await waitForResult(page)).toEqual({ outcome: 'verified', title: 'Verified' });
    await page.getByText('VC-JWT (RS256)').waitFor();
  });

  it('shows a tampered copy as not valid', async () => {
    const { page } = session;
    const tampered = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    tampered.credentialSubject.achievement.name = 'Grand Master of Everything';
    await verifyPage(page);
    await page.locator('#credential-text').fill(JSON.stringify(tampered, null, 2));
    await page.locator('#verify-button').click();
    expect(await waitForResult(page)).toEqual({
      outcome: 'tampered',
      title: 'Not valid: altered or forged',
    });
    await screenshot(page, 'credential-tampered');

    const [header, payload, signature] = fs.readFileSync(jwtFile, 'utf8').split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    claims.validFrom = '2020-01-01T00:00:00.000Z';
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature];
    await page.locator('#credential-text').fill(forged.join('.'));
    await page.locator('#verify-button').click();
    await page.locator('#result[data-outcome="tampered"]').getByText('VC-JWT (RS256)').waitFor();
  });

  it('says "Revoked" (and « Révoquée ») once the academy revokes the achievement', async () => {
    const { page } = session;
    await adminApi('POST', `/achievements/members/${member.user.id}/revoke`, {
      badge: badge.documentId,
      reason: 'e2e',
    });
    await verifyPage(page);
    await page.locator('#credential-file').setInputFiles(jsonFile);
    expect(await waitForResult(page)).toEqual({ outcome: 'revoked', title: 'Revoked' });
    await screenshot(page, 'credential-revoked');

    await verifyPage(page, 'fr');
    await page.locator('#credential-file').setInputFiles(jsonFile);
    expect(await waitForResult(page)).toEqual({ outcome: 'revoked', title: 'Révoquée' });
    await page.getByText('Obtenu le').waitFor();
    await screenshot(page, 'credential-revoked-fr');
  });

  it('says what it cannot verify: not a credential, or another issuer (never looked up)', async () => {
    const { page } = session;
    await verifyPage(page);
    await page.locator('#credential-text').fill('{"hello": "world"}');
    await page.locator('#verify-button').click();
    expect(await waitForResult(page)).toEqual({
      outcome: 'unreadable',
      title: 'Not a credential',
    });

    const elsewhere = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    elsewhere.issuer.id = 'did:web:badges.elsewhere.example';
    await page.locator('#credential-text').fill(JSON.stringify(elsewhere));
    await page.locator('#verify-button').click();
    expect(await waitForResult(page)).toEqual({
      outcome: 'unknown-issuer',
      title: 'Another issuer',
    });
  });

  it('fetched nothing but this server', () => {
    const origin = e2eState().baseUrl;
    const elsewhere = requested.filter(
      (url) => !url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')
    );
    expect(elsewhere).toEqual([]);
    expect(requested).toContain(`${origin}/api/achievements/did.json`);
  });
});
