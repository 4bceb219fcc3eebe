import crypto from 'crypto';
import type { Page } from 'playwright-core';
import { e2eState } from './state';

/** Plain HTTP against the running academy. */
export const http = async (
  method: string,
  path: string,
  { token, body }: { token?: string; body?: unknown } = {}
): Promise<{ status: number; body: any }> => {
  const res = await fetch(`${e2eState().baseUrl}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
};

const ok = <T extends { status: number; body: any }>(res: T, what: string): T => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

let superToken: string | undefined;

/** The e2e super admin's JWT (one login per test file: admin logins are rate-limited). */
export const superAdminToken = async (): Promise<string> => {
  if (superToken) return superToken;
  const { admin } = e2eState();
  const res = ok(
    await http('POST', '/admin/login', { body: { email: admin.email, password: admin.password } }),
    'admin login'
  );
  superToken = res.body.data.token as string;
  return superToken;
};

export const adminApi = async (method: string, path: string, body?: unknown) =>
  ok(await http(method, path, { token: await superAdminToken(), body }), `${method} ${path}`).body;

export const unique = () => crypto.randomBytes(3).toString('hex');

/** A member registered through users-permissions, as the academy's frontend does. */
export const registerMember = async (username = `learner_${unique()}`) => {
  const res = ok(
    await http('POST', '/api/auth/local/register', {
      body: { username, email: `${username}@academy.test`, password: 'Member-Passw0rd!' },
    }),
    'register'
  );
  return { jwt: res.body.jwt as string, user: res.body.user as { id: number; username: string } };
};

/** A published lesson, created through the admin's content-manager API. */
export const createPublishedLesson = async (title = `Lesson ${unique()}`): Promise<string> => {
  const cm = '/content-manager/collection-types/api::lesson.lesson';
  const created = await adminApi('POST', cm, { title, body: 'Read me.' });
  const documentId = created.data.documentId as string;
  await adminApi('POST', `${cm}/${documentId}/actions/publish`, {});
  return documentId;
};

/** An admin whose only role grants `actions`, registered through the admin API. */
export const restrictedAdmin = async (actions: string[]) => {
  const role = await adminApi('POST', '/admin/roles', {
    name: `Badge editors ${unique()}`,
    description: 'e2e',
  });
  await adminApi('PUT', `/admin/roles/${role.data.id}/permissions`, {
    permissions: actions.map((action) => ({
      action,
      subject: null,
      properties: {},
      conditions: [],
    })),
  });
  const email = `editor-${unique()}@academy.test`;
  const password = 'Editor-Passw0rd!';
  const user = await adminApi('POST', '/admin/users', {
    firstname: 'Eddie',
    lastname: 'Editor',
    email,
    roles: [role.data.id],
  });
  ok(
    await http('POST', '/admin/register', {
      body: {
        registrationToken: user.data.registrationToken,
        userInfo: { firstname: 'Eddie', lastname: 'Editor', password },
      },
    }),
    'register editor'
  );
  const login = ok(await http('POST', '/admin/login', { body: { email, password } }), 'login');
  return { email, password, token: login.body.data.token as string };
};

/** Logs into the admin with any credentials. */
export const loginAs = async (page: Page, email: string, password: string) => {
  const { baseUrl } = e2eState();
  await page.goto(`${baseUrl}/admin/auth/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/auth'));
  await page.getByRole('navigation').first().waitFor();
};

/** Theme and interface language, as the admin's profile page stores them. */
export const setLook = async (page: Page, look: { theme?: 'light' | 'dark'; locale?: string }) => {
  await page.evaluate(({ theme, locale }) => {
    if (theme) localStorage.setItem('STRAPI_THEME', theme);
    if (locale) localStorage.setItem('strapi-admin-language', locale);
  }, look);
  await page.reload();
};

/** Picks `option` in the Design System select labelled `label`. */
export const choose = async (page: Page, label: string | RegExp, option: string | RegExp) => {
  await page.getByRole('combobox', { name: label }).first().click();
  await page.getByRole('option', { name: option }).first().click();
};

export const pluginUrl = (path = '') => `${e2eState().baseUrl}/admin/plugins/achievements${path}`;

/** A viewport-only PNG (dialogs render wrongly in full-page captures), listed like `screenshot`. */
export const viewportShot = async (page: Page, name: string): Promise<string> => {
  const fs = await import('fs');
  const path = await import('path');
  const dir = path.resolve(__dirname, '../screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  console.log(`screenshot: ${file}`);
  return file;
};
