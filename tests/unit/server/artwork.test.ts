import fs from 'fs';
import path from 'path';
import zlib from 'zlib';
import { ARTWORK, ASSETS_DIR, artworkFormat } from '../../../server/src/services/seed';

/** What create-strapi-app 5.54 writes in config/plugins.ts (upload.config.security). */
const FRESH_APP = {
  security: {
    allowedTypes: ['image/*', 'video/*', 'audio/*', 'application/pdf'],
    deniedTypes: ['image/svg+xml', 'application/x-sh', 'application/x-msdownload'],
  },
};

const CASES: [string, unknown, 'svg' | 'png' | 'none'][] = [
  ['no upload config', undefined, 'svg'],
  ['an upload config without security', { provider: 'local' }, 'svg'],
  ['empty security', { security: {} }, 'svg'],
  ["a fresh app's policy", FRESH_APP, 'png'],
  ['SVG denied, no allow list', { security: { deniedTypes: ['image/svg+xml'] } }, 'png'],
  ['allowedTypes without images', { security: { allowedTypes: ['application/pdf'] } }, 'none'],
  ['an empty allowedTypes (allows nothing)', { security: { allowedTypes: [] } }, 'none'],
  ['every image denied', { security: { deniedTypes: ['image/*'] } }, 'none'],
  ['allowedTypes image/*', { security: { allowedTypes: ['image/*'] } }, 'svg'],
  ['allowedTypes */*', { security: { allowedTypes: ['*/*'] } }, 'svg'],
  ['allowedTypes image/svg*', { security: { allowedTypes: ['image/svg*'] } }, 'svg'],
  ['only PNG allowed', { security: { allowedTypes: ['image/png', 'image/jpeg'] } }, 'png'],
  ['a deny wildcard over SVG', { security: { deniedTypes: ['image/svg*'] } }, 'png'],
  ['deny wins over allow', { security: { allowedTypes: ['*'], deniedTypes: ['*svg*'] } }, 'png'],
  ['patterns in capitals', { security: { deniedTypes: ['IMAGE/SVG+XML'] } }, 'png'],
  ['a wildcard in capitals', { security: { allowedTypes: ['IMAGE/*'] } }, 'svg'],
  // Strapi turns a pattern with `*` into a regular expression unescaped: `+` is a quantifier.
  [
    "Strapi's unescaped `+` (as the upload routes)",
    { security: { deniedTypes: ['image/svg+xml*'] } },
    'svg',
  ],
  ['a pattern that is no regular expression', { security: { deniedTypes: ['image/(*'] } }, 'none'],
  ['a malformed allowedTypes', { security: { allowedTypes: 'image/*' } }, 'none'],
  ['a malformed deniedTypes', { security: { deniedTypes: [42] } }, 'none'],
];

describe('artworkFormat: the badge artwork the upload policy accepts', () => {
  it.each(CASES)('%s', (_name, uploadConfig, expected) => {
    expect(artworkFormat(uploadConfig)).toBe(expected);
  });

  // The upload plugin's own check (the one its upload routes run; its service does not), pinned
  // at @strapi/upload 5.54: the decision must be the first format it accepts for the real files.
  it("agrees with the upload plugin's own validation of the shipped files", async () => {
    const uploadRoot = path.dirname(require.resolve('@strapi/upload/package.json'));
    const { validateFiles } = require(
      path.join(uploadRoot, 'dist/server/utils/mime-validation.js')
    ) as {
      validateFiles(files: object[], strapi: object): Promise<{ isValid: boolean }[]>;
    };
    // Its content sniffing (file-type, ESM-only) cannot load inside jest's CommonJS sandbox and
    // logs a warning; Strapi then judges by declared type and extension, which for these files is
    // the same type the sniffing gives in a real app (image/png; nothing for an SVG).
    for (const [name, uploadConfig] of CASES) {
      const strapi = {
        log: { warn: () => {}, error: () => {} },
        // It reads strapi.config.get(['plugin::upload', 'security'], {}).
        config: {
          get: ([, key]: string[], fallback: unknown) =>
            (uploadConfig as Record<string, unknown> | undefined)?.[key] ?? fallback,
        },
      };
      let accepted: 'svg' | 'png' | 'none' = 'none';
      for (const format of ['svg', 'png'] as const) {
        const file = {
          filepath: path.join(ASSETS_DIR, `first-lesson.${format}`),
          originalFilename: `achievement-first-lesson.${format}`,
          mimetype: ARTWORK[format].mime,
          size: fs.statSync(path.join(ASSETS_DIR, `first-lesson.${format}`)).size,
        };
        const valid = await validateFiles([file], strapi).then(
          ([result]) => result.isValid,
          () => false // a malformed policy refuses every upload
        );
        if (valid) {
          accepted = format;
          break;
        }
      }
      expect({ name, format: artworkFormat(uploadConfig) }).toEqual({ name, format: accepted });
    }
  });
});

/** Decodes an 8-bit RGBA, non-interlaced PNG to its pixels (RGBA rows, no filter bytes). */
const decodePng = (png: Buffer) => {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  expect([png[24], png[25], png[28]]).toEqual([8, 6, 0]); // 8 bits, RGBA, not interlaced
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT')
      idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? pixels[y * stride + x - 4] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, alpha: (x: number, y: number) => pixels[y * stride + x * 4 + 3] };
};

describe('the shipped artwork', () => {
  const slugs = fs
    .readdirSync(ASSETS_DIR)
    .filter((name) => name.endsWith('.svg'))
    .map((name) => name.slice(0, -'.svg'.length));

  it('has 19 SVGs', () => {
    expect(slugs).toHaveLength(19);
  });

  // scripts/render-artwork.mjs writes them; an SVG without its PNG means it was not re-run.
  it.each(slugs)('%s.png is a 256×256 render on a transparent background', (slug) => {
    const png = decodePng(fs.readFileSync(path.join(ASSETS_DIR, `${slug}.png`)));
    expect([png.width, png.height]).toEqual([256, 256]);
    for (const [x, y] of [
      [0, 0],
      [255, 0],
      [0, 255],
      [255, 255],
    ]) {
      expect(png.alpha(x, y)).toBe(0);
    }
    expect(png.alpha(128, 128)).toBe(255); // the shield itself is opaque
  });
});
