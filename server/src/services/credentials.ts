import { createHash } from 'crypto';
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { UID } from '../../../common/constants';
import type { CredentialSettings } from '../../../common/settings';
import { describeCriteria } from '../../../engine/sentence';
import { buildCredential, jwtClaimsOf, newSalt, newSubjectId } from '../credentials/build';
import { createDocumentLoader, type DocumentLoader } from '../credentials/document-loader';
import { issuerLocation, type IssuerLocation } from '../credentials/issuer';
import { didDocumentOf, generateKeys, jwkOf, type KeyAlgorithm } from '../credentials/keys';
import { vcLibs, type VcLibs } from '../credentials/libs';
import {
  decryptSecret,
  encryptSecret,
  hasSecret,
  readSecret,
  SECRET_ENV,
} from '../credentials/secret';
import { signDataIntegrity, signJwt, type SignTimings } from '../credentials/sign';
import { encodeList } from '../credentials/status-list';
import { credentialKeysStore } from '../stores/credential-keys';
import { credentialsStore, type CredentialRow } from '../stores/credentials';
import { statusListsStore } from '../stores/status-lists';
import { getService } from '../utils/get-service';
import { achievementStore } from '../stores/achievements';
import type { Change } from './outbox';

/** Status of a credential as the admin and the holder see it. */
export interface CredentialSummary {
  documentId: string;
  id: string;
  issuedAt: string;
  keyId: string;
  status: 'valid' | 'revoked';
  revokedAt: string | null;
  revokeReason: string | null;
  statusListCredential: string;
  statusListIndex: number;
}

const notFound = (message: string) => new errors.NotFoundError(message);

/**
 * Open Badges 3.0 credentials: issuing (signed once, stored, served as stored), the issuer's
 * keys and their publication (did:web, JWKS), and revocation through Bitstring Status Lists.
 * Table access goes through the three credential stores; the achievement, badge and member it
 * describes are read, never written.
 */
const credentialsService = ({ strapi }: { strapi: Core.Strapi }) => {
  const keys = credentialKeysStore(strapi);
  const credentials = credentialsStore(strapi);
  const lists = statusListsStore(strapi);

  /** Decrypted private keys of this process, by kid; they never leave it. */
  const privateKeys = new Map<string, string>();
  /** Issues under way in this process, by achievement: one signature per achievement. */
  const issuing = new Map<string, Promise<CredentialRow>>();
  /** Revocations under way in this process: the status routes wait for them. */
  const pendingRevocations = new Set<Promise<unknown>>();
  let lastTimings: SignTimings | null = null;

  const settings = async (): Promise<CredentialSettings> =>
    (await getService(strapi, 'settings').get()).credentials;

  const location = async (): Promise<IssuerLocation> => {
    const { host } = await settings();
    const fallback =
      (strapi.config.get('server.absoluteUrl') as string | undefined) || 'http://localhost:1337';
    return issuerLocation(host, fallback);
  };

  let loader: DocumentLoader | null = null;
  const documentLoader = async (): Promise<DocumentLoader> => {
    if (!loader) loader = createDocumentLoader((await vcLibs()).contexts);
    return loader;
  };

  const requireEnabled = async () => {
    if (!(await settings()).enabled) {
      throw notFound('credentials are switched off (Settings → Gamification → Credentials)');
    }
  };

  /** Generates the first keys when there are none (the secret must be set). */
  const ensureKeys = async (libs: VcLibs) => {
    if ((await keys.count()) > 0) return;
    const secret = readSecret();
    await keys.rotate(await generateKeys(libs, (plain) => encryptSecret(plain, secret)));
  };

  const privateKey = async (kid: string, sealed: string): Promise<string> => {
    let plain = privateKeys.get(kid);
    if (plain === undefined) {
      plain = decryptSecret(sealed, readSecret());
      privateKeys.set(kid, plain);
    }
    return plain;
  };

  const currentKey = async (algorithm: KeyAlgorithm) => {
    const libs = await vcLibs();
    await ensureKeys(libs);
    const key = await keys.current(algorithm);
    if (!key) throw new Error(`achievements: no current ${algorithm} signing key`);
    return { ...key, secret: await privateKey(key.kid, key.sealed) };
  };

  const signWithEd25519 = async <T extends Record<string, unknown>>(document: T) => {
    const libs = await vcLibs();
    const { did } = await location();
    const key = await currentKey('Ed25519');
    const result = await signDataIntegrity(
      libs,
      document,
      {
        verificationMethod: `${did}#${key.kid}`,
        controller: did,
        publicKeyMultibase: key.publicKey.publicKeyMultibase as string,
        secretKeyMultibase: key.secret,
      },
      await documentLoader()
    );
    return { ...result, kid: key.kid };
  };

  const achievementRow = async (documentId: string) =>
    (await achievementStore(strapi).records({ documentId }))[0] ?? null;

  /** Revokes a credential: its status bit first, then the row (a retry finds the bit set). */
  const revokeCredential = async (credential: CredentialRow, reason: string | null) => {
    await lists.revoke(credential.statusListId, credential.statusIndex);
    await credentials.markRevoked([credential.id], reason);
  };

  const track = <T>(work: Promise<T>): Promise<T> => {
    pendingRevocations.add(work);
    work
      .catch((error) =>
        strapi.log.error(`achievements: could not revoke a credential: ${error.message}`)
      )
      .finally(() => pendingRevocations.delete(work));
    return work;
  };

  const waitForRevocations = async () => {
    if (pendingRevocations.size) await Promise.allSettled([...pendingRevocations]);
  };

  /** Signs and stores a new credential for a held, non-revoked achievement. */
  const issueNew = async (achievement: any): Promise<CredentialRow> => {
    const catalog = await getService(strapi, 'catalog').get();
    const badge = catalog.badges.find((b) => b.id === achievement.badgeId);
    const def = catalog.defs.find((d) => d.id === achievement.badgeId);
    if (!badge || !def) throw notFound('the badge of this achievement no longer exists');
    const user = await strapi.db
      .query(UID.user)
      .findOne({ where: { id: achievement.userId }, select: ['id', 'email'] });
    if (!user) throw notFound('the member of this achievement no longer exists');

    const libs = await vcLibs();
    const loc = await location();
    const config = await settings();
    const origin = new URL(loc.apiBase).origin;
    const absolute = (url?: string | null) =>
      !url ? null : /^https?:\/\//.test(url) ? url : `${origin}${url}`;
    const badgeNames = Object.fromEntries(
      catalog.badges.map((b) => [b.slug, b.secret && b.id !== badge.id ? 'secret badge' : b.name])
    );
    const categoryNames = Object.fromEntries(catalog.categories.map((c) => [c.slug, c.name]));

    const { listId, index } = await lists.allocate();
    const listUrl = `${loc.apiBase}/status-lists/${listId}`;
    // The credential's id names this issue (`?issue=`): an old, revoked credential of the same
    // achievement stays fetchable. The status index is never reused, so the id is unique.
    const issueId = createHash('sha256')
      .update(`${achievement.documentId}:${listId}:${index}`)
      .digest('hex')
      .slice(0, 24);
    const unsigned = buildCredential({
      id: `${loc.apiBase}/credentials/${achievement.documentId}?issue=${issueId}`,
      did: loc.did,
      issuer: {
        name: config.issuer.name || decodeURIComponent(loc.host),
        url: config.issuer.url,
        image: config.issuer.image,
        email: config.issuer.email,
      },
      validFrom: new Date(achievement.earnedAt),
      badge: {
        url: `${loc.apiBase}/badges/${badge.documentId}/open-badge`,
        name: badge.name,
        description: badge.description ?? '',
        criteria: describeCriteria(def.criteria, { categoryNames, badgeNames }),
        image: absolute(badge.image?.url),
      },
      subject: { id: newSubjectId(), email: user.email ?? '', salt: newSalt() },
      status: { listUrl, index },
    });
    const { signed, timings, kid } = await signWithEd25519(unsigned);
    const rsa = await currentKey('RS256');
    const jwt = await signJwt(libs, jwtClaimsOf(unsigned), {
      kidUrl: `${loc.apiBase}/keys/${rsa.kid}`,
      privateJwk: JSON.parse(rsa.secret),
    });
    lastTimings = timings;

    const row = await credentials.insert({
      achievementDocumentId: achievement.documentId,
      userId: achievement.userId,
      badgeId: achievement.badgeId,
      sequence: achievement.sequence,
      statusListId: listId,
      statusIndex: index,
      keyId: kid,
      document: signed,
      jwt,
      issuedAt: new Date().toISOString(),
    });
    // Another process may have issued one at the same time: the oldest stays in force, ours
    // goes (its index stays used, never handed out again).
    const winner = await credentials.active(achievement.documentId);
    if (winner && winner.id !== row.id) {
      await credentials.remove(row.id);
      return winner;
    }
    // Revoked while we signed: the revocation listener may have missed this new row.
    const now = await achievementRow(achievement.documentId);
    if (!now || now.revokedAt) {
      await revokeCredential(row, 'achievement revoked');
      throw notFound('this achievement was revoked');
    }
    return row;
  };

  /** The id a credential row is fetched by (`?issue=`), as signed into its `id`. */
  const issueIdOf = (row: CredentialRow) => new URL(row.document.id).searchParams.get('issue');

  return {
    SECRET_ENV,

    /**
     * Start-up: keys are generated on the first start the secret is set; with credentials on
     * and no secret, Strapi does not start (the error names the variable).
     */
    async bootstrap() {
      const on = (await settings()).enabled;
      if (!hasSecret()) {
        if (on) readSecret(); // throws the start-up error
        return;
      }
      await ensureKeys(await vcLibs());
    },

    /**
     * Revokes the credentials of achievements just revoked (the outbox calls this after every
     * revocation is written: admin revocation, auto-revoke, badge deletion, a silent
     * recalculation too), before any webhook goes out. Tracked, so the status and credential
     * routes of this process wait for one still running.
     */
    async revoked(userId: number, changes: Change[]) {
      let n = 0;
      for (const change of changes) {
        const active = await credentials.activeFor(userId, change.badgeId, change.sequence);
        for (const credential of active)
          await track(revokeCredential(credential, change.reason ?? null));
        n += active.length;
      }
      return n;
    },

    /**
     * Revokes every credential of a member still in force (an erase): their status bits are
     * set and never cleared, so a copy the member shared keeps saying "revoked".
     */
    async revokeAllOf(userId: number, reason: string) {
      const active = (await credentials.ofMember(userId)).filter((c) => c.revokedAt === null);
      for (const credential of active) await track(revokeCredential(credential, reason));
      return active.length;
    },

    waitForRevocations,

    /** Signing time of the last issue in this process (bench P9). */
    lastTimings: () => lastTimings,

    /**
     * The credential of an achievement, for `viewerId` (null: anonymous). The holder always;
     * anyone else only when the member's profile is public and public credentials are on.
     * `issue` picks one credential of the achievement (an old, revoked one stays fetchable).
     */
    async forViewer(
      achievementDocumentId: string,
      viewerId: number | null,
      issue?: string
    ): Promise<CredentialRow> {
      await requireEnabled();
      await waitForRevocations();
      const missing = notFound(`no credential for achievement "${achievementDocumentId}"`);
      const achievement = await achievementRow(achievementDocumentId);
      const stored = issue ? await credentials.ofAchievement(achievementDocumentId) : [];
      if (!achievement && stored.length === 0) throw missing;
      const holderId = achievement?.userId ?? stored[0]?.userId;
      if (viewerId !== holderId) {
        if (!(await settings()).publicCredentials) throw missing;
        try {
          await getService(strapi, 'members').resolveVisible(String(holderId), viewerId);
        } catch {
          throw missing;
        }
      }
      if (issue) {
        const found = stored.find((row) => issueIdOf(row) === issue);
        if (!found) throw missing;
        return found;
      }
      if (!achievement) throw missing;
      if (achievement.revokedAt) {
        // Revoked while the listener was not running (e.g. a silent recalculation): repair.
        for (const row of await credentials.activeFor(
          achievement.userId,
          achievement.badgeId,
          achievement.sequence
        ))
          await revokeCredential(row, 'achievement revoked');
        throw notFound(`achievement "${achievementDocumentId}" is revoked: no credential in force`);
      }
      const active = await credentials.active(achievementDocumentId);
      if (active) return active;
      let work = issuing.get(achievementDocumentId);
      if (!work) {
        work = issueNew(achievement).finally(() => issuing.delete(achievementDocumentId));
        issuing.set(achievementDocumentId, work);
      }
      return work;
    },

    /** The member's achievements with a credential in force or to be issued, for the card. */
    async listForMember(userId: number) {
      await requireEnabled();
      const rows = await achievementStore(strapi).records({ userId, heldOnly: true });
      const catalog = await getService(strapi, 'catalog').get();
      const { apiBase } = await location();
      return rows
        .map((r: any) => {
          const badge = catalog.badges.find((b) => b.id === r.badgeId);
          if (!badge) return null;
          return {
            badge: badge.slug,
            sequence: r.sequence,
            earnedAt: new Date(r.earnedAt).toISOString(),
            achievement: { documentId: r.documentId as string },
            url: `${apiBase}/credentials/${r.documentId}`,
          };
        })
        .filter(Boolean);
    },

    /** A member's achievements with their credentials and statuses (the admin's member page). */
    async forAdmin(userId: number) {
      if (!(await settings()).enabled) return [];
      await waitForRevocations();
      const achievements = await achievementStore(strapi).records({ userId });
      const catalog = await getService(strapi, 'catalog').get();
      const issued = await credentials.ofMember(userId);
      return Promise.all(
        achievements.map(async (a: any) => {
          const badge = catalog.badges.find((b) => b.id === a.badgeId);
          const rows = issued.filter((c) => c.achievementDocumentId === a.documentId);
          return {
            achievement: {
              documentId: a.documentId as string,
              sequence: a.sequence as number,
              earnedAt: new Date(a.earnedAt).toISOString(),
              revoked: a.revokedAt !== null,
            },
            badge: badge
              ? { documentId: badge.documentId, slug: badge.slug, name: badge.name }
              : null,
            credentials: await Promise.all(
              rows.map(async (row): Promise<CredentialSummary> => ({
                documentId: issueIdOf(row) ?? row.documentId,
                id: row.document.id,
                issuedAt: row.issuedAt,
                keyId: row.keyId,
                status: (await lists.isRevoked(row.statusListId, row.statusIndex))
                  ? 'revoked'
                  : 'valid',
                revokedAt: row.revokedAt,
                revokeReason: row.revokeReason,
                statusListCredential: row.document.credentialStatus?.statusListCredential,
                statusListIndex: row.statusIndex,
              }))
            ),
          };
        })
      );
    },

    async didDocument() {
      await requireEnabled();
      const libs = await vcLibs();
      await ensureKeys(libs);
      const { did } = await location();
      return didDocumentOf(libs, did, await keys.list());
    },

    async jwks() {
      await requireEnabled();
      const libs = await vcLibs();
      await ensureKeys(libs);
      const { apiBase } = await location();
      const all = await keys.list();
      return {
        keys: await Promise.all(all.map((k) => jwkOf(libs, k, `${apiBase}/keys/${k.kid}`))),
      };
    },

    async jwk(kid: string) {
      await requireEnabled();
      const key = await keys.findPublic(kid);
      if (!key) throw notFound(`no key "${kid}"`);
      const { apiBase } = await location();
      return jwkOf(await vcLibs(), key, `${apiBase}/keys/${key.kid}`);
    },

    /** The signed list, re-signed only when its bits changed since it was last signed. */
    async statusList(listId: string): Promise<{ body: Record<string, any>; etag: string }> {
      await requireEnabled();
      await waitForRevocations();
      const stored = await lists.signed(listId);
      if (!stored) throw notFound(`no status list "${listId}"`);
      if (stored.signed && stored.etag && stored.signedVersion === stored.version) {
        return { body: stored.signed, etag: stored.etag };
      }
      const state = (await lists.state(listId))!;
      const libs = await vcLibs();
      const loc = await location();
      const id = `${loc.apiBase}/status-lists/${listId}`;
      const unsigned = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id,
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: loc.did,
        validFrom: new Date().toISOString(),
        credentialSubject: {
          id: `${id}#list`,
          type: 'BitstringStatusList',
          statusPurpose: 'revocation',
          encodedList: await encodeList(libs, state.revokedBits),
        },
      };
      const { signed } = await signWithEd25519(unsigned);
      const etag = `"${createHash('sha1').update(JSON.stringify(signed)).digest('base64url')}"`;
      await lists.saveSigned(listId, state.version, signed, etag);
      return { body: signed, etag };
    },

    /** The open-badge Achievement of a badge (its public URL in every credential). */
    async achievementOf(badgeDocumentId: string) {
      await requireEnabled();
      const catalog = await getService(strapi, 'catalog').get();
      const badge = catalog.badges.find((b) => b.documentId === badgeDocumentId);
      const def = badge && catalog.defs.find((d) => d.id === badge.id);
      if (!badge || !def || badge.secret) throw notFound(`no badge "${badgeDocumentId}"`);
      const loc = await location();
      const origin = new URL(loc.apiBase).origin;
      const badgeNames = Object.fromEntries(
        catalog.badges.map((b) => [b.slug, b.secret ? 'secret badge' : b.name])
      );
      const categoryNames = Object.fromEntries(catalog.categories.map((c) => [c.slug, c.name]));
      const imageUrl = badge.image?.url
        ? /^https?:\/\//.test(badge.image.url)
          ? badge.image.url
          : `${origin}${badge.image.url}`
        : null;
      return {
        '@context': [
          'https://www.w3.org/ns/credentials/v2',
          'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
        ],
        id: `${loc.apiBase}/badges/${badge.documentId}/open-badge`,
        type: ['Achievement'],
        name: badge.name,
        description: badge.description || badge.name,
        criteria: { narrative: describeCriteria(def.criteria, { categoryNames, badgeNames }) },
        ...(imageUrl ? { image: { id: imageUrl, type: 'Image' } } : {}),
      };
    },

    /** Admin: what Settings → Credentials shows (public material only). */
    async adminStatus() {
      const loc = await location();
      const all = hasSecret() ? await keys.list() : [];
      return {
        secretConfigured: hasSecret(),
        secretEnv: SECRET_ENV,
        did: loc.did,
        didDocumentUrl: `${loc.apiBase}/did.json`,
        jwksUrl: `${loc.apiBase}/jwks.json`,
        keys: all.map((k) => ({
          kid: k.kid,
          algorithm: k.algorithm,
          status: k.status,
          createdAt: k.createdAt,
          retiredAt: k.retiredAt,
        })),
        issued: await credentials.count(),
      };
    },

    /** Admin: switching credentials on needs the secret (else a 400 naming it). */
    assertCanEnable() {
      if (!hasSecret()) {
        try {
          readSecret();
        } catch (error: any) {
          throw new errors.ValidationError(`credentials.enabled: ${error.message}`, {
            errors: [{ path: 'credentials.enabled', message: error.message }],
          });
        }
      }
    },

    /** Admin: new current keys; old ones are retired and stay published. */
    async rotateKeys() {
      const secret = (() => {
        try {
          return readSecret();
        } catch (error: any) {
          throw new errors.ValidationError(error.message);
        }
      })();
      const libs = await vcLibs();
      await keys.rotate(await generateKeys(libs, (plain) => encryptSecret(plain, secret)));
      return this.adminStatus();
    },
  };
};

export default credentialsService;
