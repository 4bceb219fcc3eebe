import fs from 'fs';

/** The avatar formats a member may upload, recognised by their first bytes (never by a header). */
const SIGNATURES: Array<{ mime: string; ext: string; test: (head: Buffer) => boolean }> = [
  {
    mime: 'image/png',
    ext: 'png',
    test: (b) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { mime: 'image/jpeg', ext: 'jpg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    mime: 'image/gif',
    ext: 'gif',
    test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')),
  },
  {
    mime: 'image/webp',
    ext: 'webp',
    test: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' &&
      b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

/** Larger avatars are refused: a profile picture needs far less. */
export const MAX_AVATAR_BYTES = 2 * 1024 * 1024;

/**
 * The image type of the file at `filepath` from its content: PNG, JPEG, GIF or WebP, or null for
 * anything else (SVG included: it can carry scripts).
 */
export const sniffImage = (filepath: string): { mime: string; ext: string } | null => {
  const head = Buffer.alloc(12);
  const fd = fs.openSync(filepath, 'r');
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const match = SIGNATURES.find((signature) => signature.test(head));
  return match ? { mime: match.mime, ext: match.ext } : null;
};
