import { UID } from '../../../common/constants';
import { defineStore } from './store';
import type { KeyAlgorithm, PublicKeyRecord, StoredKey } from '../credentials/keys';

/**
 * The issuer's signing keys (`credential-key`): the only code that reads or writes the table.
 * Reads that leave this module carry public material only, except `sealedPrivateKey`, whose
 * value is still encrypted and goes only to the credentials service to sign with.
 */
const PUBLIC_FIELDS = ['kid', 'algorithm', 'publicKey', 'status', 'createdAt', 'retiredAt'];

export interface PublicKeyRow extends PublicKeyRecord {
  createdAt: string;
  retiredAt: string | null;
}

const toPublic = (r: any): PublicKeyRow => ({
  kid: r.kid,
  algorithm: r.algorithm as KeyAlgorithm,
  publicKey: typeof r.publicKey === 'string' ? JSON.parse(r.publicKey) : r.publicKey,
  status: r.status,
  createdAt: new Date(r.createdAt).toISOString(),
  retiredAt: r.retiredAt ? new Date(r.retiredAt).toISOString() : null,
});

export const credentialKeysStore = defineStore((strapi) => {
  const q = () => strapi.db.query(UID.credentialKey as any);
  return {
    /** Every key, newest first, public parts only. */
    async list(): Promise<PublicKeyRow[]> {
      const rows = await q().findMany({ select: PUBLIC_FIELDS, orderBy: { id: 'desc' } });
      return rows.map(toPublic);
    },

    async findPublic(kid: string): Promise<PublicKeyRow | null> {
      const r = await q().findOne({ where: { kid }, select: PUBLIC_FIELDS });
      return r ? toPublic(r) : null;
    },

    /**
     * The newest current key of an algorithm with its sealed private part. Two processes that
     * generated keys at once both leave a current key; the newest one signs.
     */
    async current(algorithm: KeyAlgorithm): Promise<(PublicKeyRow & { sealed: string }) | null> {
      const r = await q().findOne({
        where: { algorithm, status: 'current' },
        select: [...PUBLIC_FIELDS, 'privateKeySealed'],
        orderBy: { id: 'desc' },
      });
      return r ? { ...toPublic(r), sealed: r.privateKeySealed } : null;
    },

    async sealedPrivateKey(kid: string): Promise<string | null> {
      const r = await q().findOne({ where: { kid }, select: ['privateKeySealed'] });
      return r?.privateKeySealed ?? null;
    },

    async count(): Promise<number> {
      return q().count({});
    },

    /** Adds new current keys and retires the ones current before (their public parts stay). */
    async rotate(keys: Array<Omit<StoredKey, 'status'>>): Promise<void> {
      const now = new Date();
      const before = await q().findMany({ where: { status: 'current' }, select: ['id'] });
      for (const key of keys) {
        await q().create({
          data: {
            kid: key.kid,
            algorithm: key.algorithm,
            publicKey: key.publicKey,
            privateKeySealed: key.privateKeySealed,
            status: 'current',
          },
          select: ['id'],
        });
      }
      if (before.length) {
        await q().updateMany({
          where: { id: { $in: before.map((r: { id: number }) => r.id) } },
          data: { status: 'retired', retiredAt: now },
        });
      }
    },
  };
});

export type CredentialKeysStore = ReturnType<typeof credentialKeysStore>;
