import { randomInt } from 'crypto';
import type { VcLibs } from './libs';

/**
 * Bitstring Status List helpers. A list holds LIST_LENGTH entries (the spec's minimum of
 * 131,072, 16 KB, so that one credential's index says little about its holder). Two bitstrings
 * are kept per list: `revoked` (what is published) and `used` (indexes ever handed out). An index
 * is drawn at random among the unused ones, never handed out twice, and its revoked bit is never
 * cleared: clearing it would silently un-revoke an old credential.
 */
export const LIST_LENGTH = 131_072;
/** A new list is opened when this share of a list is used, so random draws stay cheap. */
export const LIST_FILL = 0.5;

export const emptyBits = (length = LIST_LENGTH): Buffer => Buffer.alloc(Math.ceil(length / 8));

export const getBit = (bits: Buffer, index: number): boolean =>
  (bits[index >> 3] & (0x80 >> (index & 7))) !== 0;

/** Bits are numbered from the left of each byte, as the Bitstring Status List spec numbers them. */
export const setBit = (bits: Buffer, index: number): void => {
  bits[index >> 3] |= 0x80 >> (index & 7);
};

/** A random unused index, or null when the list is full. */
export const drawIndex = (used: Buffer, length: number, allocated: number): number | null => {
  if (allocated >= length) return null;
  for (let attempt = 0; attempt < 64; attempt += 1) {
    const index = randomInt(length);
    if (!getBit(used, index)) return index;
  }
  // Nearly full: walk from a random start.
  const start = randomInt(length);
  for (let i = 0; i < length; i += 1) {
    const index = (start + i) % length;
    if (!getBit(used, index)) return index;
  }
  return null;
};

/** The spec's encodedList: multibase base64url ('u') of the GZIP-compressed bitstring. */
export const encodeList = async (libs: VcLibs, bits: Buffer): Promise<string> => {
  const list = new libs.statusList.BitstringStatusList({ buffer: new Uint8Array(bits) });
  return list.encode();
};
