import crypto from 'crypto';
import type { Core } from '@strapi/strapi';
import type { StreamTicket } from '../../../common/api';
import { hostUsers } from '../stores/host-users';
import { streamTicketStore } from '../stores/stream-tickets';
import { pluginConfig } from '../utils/plugin-config';

const SHAPE = /^([1-9][0-9]{0,15})\.([1-9][0-9]{0,15})\.([a-f0-9]{32})\.([A-Za-z0-9_-]{43})$/;
/** Expired uses are forgotten at most this often (per process)... */
const PURGE_EVERY_MS = 60_000;
/** ...and this long after expiry, so a process whose clock is behind still sees a use. */
const PURGE_MARGIN_MS = 60_000;

/**
 * Stream tickets: an EventSource cannot send an Authorization header, so a member trades their
 * JWT (`POST /me/notifications/stream-ticket`) for a short-lived ticket the stream URL carries
 * (`?ticket=`). A ticket is `<member id>.<expiry ms>.<nonce>.<HMAC-SHA256>`, keyed from the
 * app's keys (`server.app.keys`, which every process of the app shares): any process can check
 * one without a read. It opens one stream: its use is recorded in the database, unique on the
 * nonce, so a second use is refused whichever process it reaches (stores/stream-tickets).
 * A ticket in a URL can reach logs: that is why it is single-use and lives a minute.
 */
const streamTicketsService = ({ strapi }: { strapi: Core.Strapi }) => {
  let purgedAt = 0;

  /** One key per app key (the first signs; the others still verify, so keys can rotate). */
  const keys = (): Buffer[] => {
    const appKeys = strapi.config.get('server.app.keys') as string[] | undefined;
    if (!appKeys?.length) throw new Error('achievements: stream tickets need server.app.keys');
    return appKeys.map((k) =>
      crypto.createHmac('sha256', k).update('strapi-plugin-achievements:stream-ticket').digest()
    );
  };
  const mac = (key: Buffer, body: string) =>
    crypto.createHmac('sha256', key).update(body).digest('base64url');

  return {
    issue(userId: number, now = Date.now()): StreamTicket {
      const expiresAt = now + pluginConfig(strapi).streams.ticketTtlMs;
      const body = `${userId}.${expiresAt}.${crypto.randomBytes(16).toString('hex')}`;
      return {
        ticket: `${body}.${mac(keys()[0], body)}`,
        expiresAt: new Date(expiresAt).toISOString(),
      };
    },

    /**
     * The member a ticket was issued to, recording its use; or why it opens nothing (missing,
     * not a ticket, expired, used before).
     */
    async redeem(
      ticket: string | undefined,
      now = Date.now()
    ): Promise<{ userId: number } | { refused: string }> {
      if (!ticket)
        return {
          refused: 'a notification stream needs ?ticket= (POST /me/notifications/stream-ticket)',
        };
      const parts = SHAPE.exec(ticket);
      if (!parts) return { refused: 'the stream ticket is not valid' };
      const [, user, expiry, nonce, signature] = parts;
      const body = `${user}.${expiry}.${nonce}`;
      const given = Buffer.from(signature);
      if (!keys().some((key) => crypto.timingSafeEqual(Buffer.from(mac(key, body)), given)))
        return { refused: 'the stream ticket is not valid' };
      const expiresAt = Number(expiry);
      if (expiresAt <= now) return { refused: 'the stream ticket expired: ask for a new one' };
      if (now - purgedAt > PURGE_EVERY_MS) {
        purgedAt = now;
        await streamTicketStore(strapi).purgeExpired(new Date(now - PURGE_MARGIN_MS));
      }
      if (!(await streamTicketStore(strapi).use(nonce, new Date(expiresAt))))
        return { refused: 'the stream ticket was used already: ask for a new one' };
      // Blocked or deleted since it was issued: the ticket dies with the account.
      if (!(await hostUsers(strapi).activeOf([Number(user)])).has(Number(user)))
        return { refused: 'the stream ticket is not valid: its member is blocked or gone' };
      return { userId: Number(user) };
    },
  };
};

export default streamTicketsService;
