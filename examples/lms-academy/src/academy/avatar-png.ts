import zlib from 'zlib';

/**
 * A small PNG avatar (a light silhouette on a coloured disc), drawn in code so the seed needs
 * no binary files in the repository.
 */
export const avatarPng = (rgb: [number, number, number], size = 64): Buffer => {
  const rows: Buffer[] = [];
  const c = size / 2;
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA pixels
    for (let x = 0; x < size; x += 1) {
      const inDisc = (x - c + 0.5) ** 2 + (y - c + 0.5) ** 2 <= c * c;
      const inHead = (x - c) ** 2 + (y - size * 0.38) ** 2 <= (size * 0.17) ** 2;
      const inBody = ((x - c) / (size * 0.32)) ** 2 + ((y - size * 0.95) / (size * 0.3)) ** 2 <= 1;
      const pixel = !inDisc
        ? [0, 0, 0, 0]
        : inHead || inBody
          ? [250, 250, 250, 255]
          : [...rgb, 255];
      row.set(pixel, 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

const crc32 = (data: Buffer): number => {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
};

const chunk = (type: string, data: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};
