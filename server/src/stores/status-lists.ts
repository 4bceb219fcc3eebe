import { randomBytes } from 'crypto';
import { UID } from '../../../common/constants';
import { defineStore } from './store';
import {
  LIST_FILL,
  LIST_LENGTH,
  drawIndex,
  emptyBits,
  getBit,
  setBit,
} from '../credentials/status-list';

/**
 * Revocation status lists (`status-list`): the only code that reads or writes the table.
 * Several Strapi processes may allocate and revoke at once, so every write is a compare-and-set
 * on a counter (`allocated` for allocations, `version` for revocations) retried on conflict;
 * the two kinds of write touch different columns and never undo each other.
 */
export interface StatusListState {
  listId: string;
  length: number;
  version: number;
  revokedBits: Buffer;
}

export interface SignedStatusList {
  listId: string;
  version: number;
  signedVersion: number | null;
  signed: Record<string, any> | null;
  etag: string | null;
}

const MAX_ATTEMPTS = 50;
const b64 = (bits: Buffer) => bits.toString('base64');
const bitsOf = (text: string) => Buffer.from(text, 'base64');

export const statusListsStore = defineStore((strapi) => {
  const q = () => strapi.db.query(UID.statusList as any);

  /** The list new credentials draw from: the newest one not yet LIST_FILL used, or a new one. */
  const openList = async (): Promise<string> => {
    const newest = await q().findOne({
      select: ['listId', 'length', 'allocated'],
      orderBy: { id: 'desc' },
    });
    if (newest && newest.allocated < Math.floor(newest.length * LIST_FILL)) return newest.listId;
    const listId = randomBytes(8).toString('hex');
    await q().create({
      data: {
        listId,
        length: LIST_LENGTH,
        allocated: 0,
        revokedBits: b64(emptyBits()),
        usedBits: b64(emptyBits()),
        version: 1,
      },
      select: ['id'],
    });
    return listId;
  };

  return {
    /** A random index never handed out before, on the open list. */
    async allocate(): Promise<{ listId: string; index: number }> {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const listId = await openList();
        const r = await q().findOne({
          where: { listId },
          select: ['usedBits', 'allocated', 'length'],
        });
        const used = bitsOf(r.usedBits);
        const index = drawIndex(used, r.length, r.allocated);
        if (index === null) continue;
        setBit(used, index);
        const { count } = await q().updateMany({
          where: { listId, allocated: r.allocated },
          data: { usedBits: b64(used), allocated: r.allocated + 1 },
        });
        if (count === 1) return { listId, index };
      }
      throw new Error('achievements: could not allocate a status list index (too much contention)');
    },

    /** Sets a revoked bit (never clears one); true when it changed. */
    async revoke(listId: string, index: number): Promise<boolean> {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const r = await q().findOne({ where: { listId }, select: ['revokedBits', 'version'] });
        if (!r) return false;
        const bits = bitsOf(r.revokedBits);
        if (getBit(bits, index)) return false;
        setBit(bits, index);
        const { count } = await q().updateMany({
          where: { listId, version: r.version },
          data: { revokedBits: b64(bits), version: r.version + 1 },
        });
        if (count === 1) return true;
      }
      throw new Error('achievements: could not revoke a status entry (too much contention)');
    },

    /** The stored signed list of the current version, if any (one narrow read). */
    async signed(listId: string): Promise<SignedStatusList | null> {
      const r = await q().findOne({
        where: { listId },
        select: ['listId', 'version', 'signedVersion', 'signed', 'etag'],
      });
      if (!r) return null;
      return {
        listId: r.listId,
        version: r.version,
        signedVersion: r.signedVersion ?? null,
        signed: typeof r.signed === 'string' ? JSON.parse(r.signed) : (r.signed ?? null),
        etag: r.etag ?? null,
      };
    },

    async state(listId: string): Promise<StatusListState | null> {
      const r = await q().findOne({
        where: { listId },
        select: ['listId', 'length', 'version', 'revokedBits'],
      });
      if (!r) return null;
      return { listId, length: r.length, version: r.version, revokedBits: bitsOf(r.revokedBits) };
    },

    /** Keeps the list signed at `version`, unless a newer version was stored meanwhile. */
    async saveSigned(listId: string, version: number, signed: unknown, etag: string) {
      await q().updateMany({
        where: {
          listId,
          $or: [{ signedVersion: null }, { signedVersion: { $lt: version } }],
        },
        data: { signed, signedVersion: version, etag },
      });
    },

    async isRevoked(listId: string, index: number): Promise<boolean> {
      const state = await this.state(listId);
      return state ? getBit(state.revokedBits, index) : false;
    },
  };
});

export type StatusListsStore = ReturnType<typeof statusListsStore>;
