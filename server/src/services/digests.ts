import crypto from 'crypto';
import os from 'os';
import type { Core } from '@strapi/strapi';
import type { PreferencesResponse } from '../../../common/api';
import { PLUGIN_ID } from '../../../common/constants';
import type { EmailLanguage, NotificationSettings } from '../../../common/settings';
import { digestWindow } from '../../../engine/digest-schedule';
import { messagesFor } from '../digests/messages';
import { renderDigest, renderPage } from '../digests/render';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../digests/unsubscribe-token';
import { digestStore, type Digest } from '../stores/digests';
import { hostUsers } from '../stores/host-users';
import { notificationStore } from '../stores/notifications';
import { preferenceStore } from '../stores/preferences';
import { inTransaction } from '../stores/transaction';
import { getService } from '../utils/get-service';

/** How often each process plans and sends digests. */
export const DIGEST_POLL_MS = 60_000;
/**
 * How long a claimed digest stays with one process. Longer than any SMTP conversation
 * (nodemailer gives up after 2 min by default): a holder still talking is not overtaken, only
 * one that crashed.
 */
export const DIGEST_LEASE_MS = 10 * 60_000;
/** Attempts before a digest is given up; the wait doubles from a minute, capped at 6 hours. */
export const DIGEST_MAX_ATTEMPTS = 8;
const retryDelay = (attempts: number) => Math.min(60_000 * 2 ** (attempts - 1), 6 * 3_600_000);
/** How long an unsubscribe link works. */
export const UNSUBSCRIBE_TTL_MS = 60 * 24 * 3_600_000;
/** Notifications older than this are never mailed: a weekly digest plus any timezone. */
const OLDEST_MAILED_MS = 9 * 24 * 3_600_000;

/** The path of the one-click unsubscribe route, under the content API prefix. */
export const UNSUBSCRIBE_PATH = '/api/achievements/unsubscribe';

/** A refusal of an unsubscribe link, answered with a page in the link's language. */
export interface UnsubscribePage {
  status: number;
  html: string;
}

/**
 * Email digests: one email per member groups the notifications no digest carried yet, sent
 * through Strapi's email plugin at the member's send hour.
 *
 * Planning moves notifications into a digest row (the outbox row of one email) in one
 * transaction: their `emailedAt` is set only where it was null, so a notification is carried
 * by one digest whichever processes plan at once. Sending claims due digests with a lease
 * (like the evaluator's batches), sends, then marks the row sent; a failure releases the claim
 * with a backoff. A crash after the SMTP server accepted the mail and before the row was marked
 * sends it again once the lease runs out, with the same Message-ID (`<digest-<documentId>@host>`),
 * which mail clients and servers use to recognise the repeat: at least once, never silently
 * twice. Each instance of this service is one scheduler (tests make a second one).
 */
const digestsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const keyStore = () => strapi.store({ type: 'plugin', name: PLUGIN_ID, key: 'digest-key' });
  let key: Buffer | null = null;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const instance = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

  /** The key unsubscribe links are signed with: made once, kept in the plugin store. */
  const signingKey = async (): Promise<Buffer> => {
    if (key) return key;
    let stored = (await keyStore().get({})) as string | null;
    if (!stored) {
      await keyStore().set({ value: crypto.randomBytes(32).toString('hex') });
      // Two processes starting at once: both use whichever was written last.
      stored = (await keyStore().get({})) as string;
    }
    key = Buffer.from(stored, 'hex');
    return key;
  };

  /** Strapi's public URL: links and artwork in an email must be absolute. */
  const baseUrl = () =>
    (
      (strapi.config.get('server.absoluteUrl') as string | undefined) || 'http://localhost:1337'
    ).replace(/\/+$/, '');
  const absolute = (url: string) => (/^https?:\/\//i.test(url) ? url : `${baseUrl()}${url}`);
  /** Stable across attempts: a repeat after a crash is recognisable as the same email. */
  const messageIdOf = (documentId: string) =>
    `<digest-${documentId}@${new URL(baseUrl()).hostname}>`;

  /** `"Sender name" <address of the email plugin's defaultFrom>`, or the plugin's default. */
  const fromAddress = (senderName: string): string | undefined => {
    if (!senderName) return undefined;
    const defaultFrom = strapi.config.get('plugin::email.settings.defaultFrom') as
      string | undefined;
    const address = defaultFrom?.match(/<([^>]+)>/)?.[1] ?? defaultFrom;
    return address ? `"${senderName}" <${address}>` : undefined;
  };

  const settings = async () => (await getService(strapi, 'settings').get()).notifications;

  /** Moves each due member's notifications into one digest; how many digests it planned. */
  const plan = async (now: Date): Promise<number> => {
    const options = await settings();
    if (!options.email) return 0;
    const { defaultTimezone } = await getService(strapi, 'settings').streakOptions();
    const scan = { from: new Date(now.getTime() - OLDEST_MAILED_MS), before: now };
    let planned = 0;
    let after = 0;
    for (;;) {
      const candidates = await notificationStore(strapi).membersAwaitingEmail(scan, after);
      if (candidates.length === 0) return planned;
      after = candidates[candidates.length - 1];
      const zones = await hostUsers(strapi).timezonesOf(candidates, defaultTimezone);
      for (const userId of candidates) {
        const timezone = zones.get(userId) ?? defaultTimezone;
        if (await planFor(userId, timezone, options, now)) planned += 1;
      }
    }
  };

  /** Plans one member's digest if their send time passed; whether this call planned it. */
  const planFor = async (
    userId: number,
    timezone: string,
    options: NotificationSettings,
    now: Date
  ): Promise<boolean> => {
    const preference = await preferenceStore(strapi).of(userId);
    if (!preference.email) return false;
    const window = digestWindow(
      now.getTime(),
      timezone,
      options.frequency,
      options.sendHour,
      options.sendWeekday
    );
    const language = preference.language ?? options.defaultLanguage;
    try {
      return await inTransaction(strapi, async (trx) => {
        const ids = await notificationStore(strapi).takeForEmail(
          userId,
          { from: new Date(window.from), before: new Date(window.slot) },
          now,
          trx
        );
        if (ids === null) throw new PlannedElsewhere();
        if (ids.length === 0) return false;
        const dedupeKey = `${userId}:${ids[0]}`;
        const inserted = await digestStore(strapi).insert(
          { userId, dedupeKey, notificationIds: ids, language },
          now,
          trx
        );
        if (!inserted) throw new PlannedElsewhere();
        return true;
      });
    } catch (error) {
      // Another process planned this member's digest at the same moment: theirs stands.
      if (error instanceof PlannedElsewhere || isConflict(error)) return false;
      throw error;
    }
  };

  /** Sends one claimed digest, or records why not. Returns whether an email left. */
  const deliver = async (digest: Digest, claim: string, now: Date): Promise<boolean> => {
    const digests = digestStore(strapi);
    const giveUp = (why: string) =>
      digests.markAttemptFailed(digest.id, claim, why, { status: 'skipped' }, now);
    const [address, preference, options] = await Promise.all([
      hostUsers(strapi).emailOf(digest.userId),
      preferenceStore(strapi).of(digest.userId),
      settings(),
    ]);
    if (!options.email) {
      await giveUp('email digests were turned off');
      return false;
    }
    if (!preference.email) {
      await giveUp('the member turned email off');
      return false;
    }
    if (!address) {
      await giveUp('the member has no email address or is blocked');
      return false;
    }
    const notifications = await notificationStore(strapi).ofMemberByIds(
      digest.userId,
      digest.notificationIds
    );
    const token = signUnsubscribeToken(await signingKey(), {
      digest: digest.documentId,
      language: digest.language,
      expiresAt: now.getTime() + UNSUBSCRIBE_TTL_MS,
    });
    const unsubscribeUrl = `${baseUrl()}${UNSUBSCRIBE_PATH}?token=${token}`;
    const email = renderDigest(notifications, messagesFor(digest.language), {
      absolute,
      unsubscribeUrl,
      language: digest.language,
    });
    if (email.count === 0) {
      await giveUp('nothing left to report');
      return false;
    }
    const from = fromAddress(options.senderName);
    try {
      await strapi
        .plugin('email')
        .service('email')
        .send({
          to: address,
          ...(from ? { from } : {}),
          subject: email.subject,
          text: email.text,
          html: email.html,
          headers: {
            'Message-ID': messageIdOf(digest.documentId),
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
        });
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const next =
        digest.attempts >= DIGEST_MAX_ATTEMPTS
          ? ({ status: 'failed' } as const)
          : { retryAt: new Date(now.getTime() + retryDelay(digest.attempts)) };
      await digests.markAttemptFailed(digest.id, claim, message, next, now);
      strapi.log.warn(
        `achievements: digest ${digest.documentId} not sent (attempt ${digest.attempts}): ${message}`
      );
      return false;
    }
    if (!(await digests.markSent(digest.id, claim, new Date())))
      strapi.log.warn(
        `achievements: digest ${digest.documentId} was sent after its lease ran out; another process may send it again with the same Message-ID`
      );
    return true;
  };

  /** Claims the digests due at `now` and sends them; how many emails left. */
  const sendDue = async (now: Date): Promise<number> => {
    let sent = 0;
    for (;;) {
      const claim = `${instance}:${crypto.randomBytes(4).toString('hex')}`;
      const due = await digestStore(strapi).claimDue(now, {
        leaseMs: DIGEST_LEASE_MS,
        token: claim,
        limit: 20,
      });
      for (const digest of due) if (await deliver(digest, claim, now)) sent += 1;
      if (due.length < 20) return sent;
    }
  };

  const tick = async (now: Date) => {
    const planned = await plan(now);
    const sent = await sendDue(now);
    return { planned, sent };
  };

  /** The unsubscribe link's claims, or the page that refuses it. */
  const checkLink = async (
    token: unknown,
    now: Date
  ): Promise<
    { ok: true; digest: string; language: string } | { ok: false; page: UnsubscribePage }
  > => {
    const check =
      typeof token === 'string' && token.length <= 1000
        ? verifyUnsubscribeToken(await signingKey(), token, now.getTime())
        : ({ ok: false, reason: 'malformed' } as const);
    if (check.ok) return { ok: true, ...check.claims };
    const language = ('language' in check && check.language) || 'en';
    const t = messagesFor(language);
    return check.reason === 'expired'
      ? {
          ok: false,
          page: { status: 410, html: renderPage(language, t.expiredTitle, t.expiredText) },
        }
      : {
          ok: false,
          page: { status: 400, html: renderPage(language, t.invalidTitle, t.invalidText) },
        };
  };

  return {
    plan,
    sendDue,

    /**
     * One round of the scheduler at `now`: plans the digests due, then sends what is due. A
     * second call while one runs in this process waits for it (the timer never overlaps).
     */
    async tick(now: Date = new Date()) {
      while (running) await running.catch(() => undefined);
      const round = tick(now);
      running = round;
      try {
        return await round;
      } finally {
        running = null;
      }
    },

    /** Starts this process's scheduler; safe with several processes (see above). */
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (running) return;
        this.tick().catch((error) =>
          strapi.log.error(`achievements: email digests: ${(error as Error).message}`)
        );
      }, DIGEST_POLL_MS);
      timer.unref?.();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },

    /** Saves a member's email choices; what they are now. */
    async savePreferences(
      userId: number,
      values: { email?: boolean; language?: EmailLanguage | null }
    ): Promise<PreferencesResponse> {
      await preferenceStore(strapi).save(userId, values);
      const saved = await preferenceStore(strapi).of(userId);
      return { email: saved.email, language: saved.language as EmailLanguage | null };
    },

    /** `GET /unsubscribe?token=`: a page with a button that POSTs the one-click request. */
    async confirmationPage(token: unknown, now = new Date()): Promise<UnsubscribePage> {
      const link = await checkLink(token, now);
      if (!link.ok) return link.page;
      const t = messagesFor(link.language);
      const digest = await digestStore(strapi).byDocumentId(link.digest);
      if (!digest)
        return { status: 404, html: renderPage(link.language, t.invalidTitle, t.invalidText) };
      if (digest.unsubscribedAt)
        return { status: 410, html: renderPage(link.language, t.usedTitle, t.usedText) };
      return {
        status: 200,
        html: renderPage(link.language, t.confirmTitle, t.confirmText, {
          action: `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(String(token))}`,
          button: t.confirmButton,
        }),
      };
    },

    /**
     * `POST /unsubscribe?token=` (RFC 8058 one-click): turns the member's email off. The link
     * works once: its digest row records the use in the same transaction.
     */
    async unsubscribe(token: unknown, now = new Date()): Promise<UnsubscribePage> {
      const link = await checkLink(token, now);
      if (!link.ok) return link.page;
      const t = messagesFor(link.language);
      const digest = await digestStore(strapi).byDocumentId(link.digest);
      if (!digest)
        return { status: 404, html: renderPage(link.language, t.invalidTitle, t.invalidText) };
      const used = await inTransaction(strapi, async (trx) => {
        if (!(await digestStore(strapi).markUnsubscribed(digest.id, now, trx))) return true;
        await preferenceStore(strapi).save(digest.userId, { email: false }, trx);
        return false;
      });
      if (used) return { status: 410, html: renderPage(link.language, t.usedTitle, t.usedText) };
      return { status: 200, html: renderPage(link.language, t.doneTitle, t.doneText) };
    },

    /** The Message-ID a digest is sent with, every time. */
    messageIdOf,
  };
};

/** Another process planned the same digest first: this transaction rolls back. */
class PlannedElsewhere extends Error {}

/** A unique-index refusal or a deadlock between two planners (PostgreSQL, MariaDB). */
const isConflict = (error: unknown) =>
  /duplicate|unique|deadlock|serializ|ER_LOCK/i.test(String((error as Error)?.message ?? ''));

export default digestsService;
