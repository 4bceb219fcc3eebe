import { buildCredential, identityHash, jwtClaimsOf } from '../../../server/src/credentials/build';
import { createDocumentLoader } from '../../../server/src/credentials/document-loader';
import { didWebUrl, issuerLocation } from '../../../server/src/credentials/issuer';
import {
  decryptSecret,
  encryptSecret,
  readSecret,
  SECRET_ENV,
} from '../../../server/src/credentials/secret';
import { drawIndex, emptyBits, getBit, setBit } from '../../../server/src/credentials/status-list';

const input = {
  id: 'https://academy.test/api/achievements/credentials/abc?issue=0123',
  did: 'did:web:academy.test:api:achievements',
  issuer: { name: 'Academy', url: '', image: '', email: '' },
  validFrom: new Date('2026-11-26T19:18:15.070Z'),
  badge: {
    url: 'https://academy.test/api/achievements/badges/b1/open-badge',
    name: 'Storyteller',
    description: 'Tell others about yourself.',
    criteria: 'Add a bio',
    image: null,
  },
  subject: { id: 'urn:uuid:1', email: ' Ada@Example.org ', salt: 'pepper' },
  status: { listUrl: 'https://academy.test/api/achievements/status-lists/ff', index: 42 },
};

describe('credential builder', () => {
  it('hashes the normalised email with the salt and never keeps it', () => {
    const c = buildCredential(input);
    expect(c.credentialSubject.identifier[0].identityHash).toBe(
      identityHash('ada@example.org', 'pepper')
    );
    expect(JSON.stringify(c).toLowerCase()).not.toContain('ada@example.org');
  });

  it('omits empty issuer fields and maps the VC-JWT claims', () => {
    const c = buildCredential(input);
    expect(c.issuer).toEqual({ id: input.did, type: ['Profile'], name: 'Academy' });
    expect(c.credentialSubject.achievement).not.toHaveProperty('image');
    expect(jwtClaimsOf(c)).toMatchObject({
      iss: input.did,
      jti: input.id,
      sub: 'urn:uuid:1',
      nbf: Math.floor(input.validFrom.getTime() / 1000),
    });
    expect(c.credentialStatus).toMatchObject({ statusListIndex: '42' });
  });
});

describe('status list bits', () => {
  it('numbers bits from the left of each byte and draws only unused indexes', () => {
    const bits = emptyBits(16);
    setBit(bits, 0);
    setBit(bits, 9);
    expect([...bits]).toEqual([0x80, 0x40]);
    expect(getBit(bits, 9)).toBe(true);
    expect(getBit(bits, 8)).toBe(false);
    for (let i = 0; i < 16; i += 1) if (i !== 5) setBit(bits, i);
    expect(drawIndex(bits, 16, 15)).toBe(5);
    setBit(bits, 5);
    expect(drawIndex(bits, 16, 16)).toBeNull();
  });
});

describe('key sealing', () => {
  const secret = 'x'.repeat(40);
  it('round-trips, and a wrong secret says so', () => {
    const sealed = encryptSecret('zPrivateKey', secret);
    expect(sealed).not.toContain('zPrivateKey');
    expect(decryptSecret(sealed, secret)).toBe('zPrivateKey');
    expect(() => decryptSecret(sealed, 'y'.repeat(40))).toThrow(/was the secret changed/);
  });

  it('names the variable when the secret is missing or short', () => {
    expect(() => readSecret({})).toThrow(new RegExp(`${SECRET_ENV} is not set`));
    expect(() => readSecret({ [SECRET_ENV]: 'short' })).toThrow(/shorter than 32/);
    expect(readSecret({ [SECRET_ENV]: secret })).toBe(secret);
  });
});

describe('issuer location and document loader', () => {
  it('builds did:web from the configured host or the public URL', () => {
    expect(issuerLocation('academy.example', 'http://localhost:1337')).toEqual({
      host: 'academy.example',
      did: 'did:web:academy.example:api:achievements',
      apiBase: 'https://academy.example/api/achievements',
    });
    const local = issuerLocation('', 'http://localhost:1337');
    expect(local.did).toBe('did:web:localhost%3A1337:api:achievements');
    expect(didWebUrl(local.did)).toBe('https://localhost:1337/api/achievements/did.json');
  });

  it('serves bundled contexts only and refuses every other URL', async () => {
    const load = createDocumentLoader(new Map([['https://ctx.test/v1', { '@context': {} }]]));
    await expect(load('https://ctx.test/v1')).resolves.toMatchObject({
      documentUrl: 'https://ctx.test/v1',
    });
    await expect(load('https://evil.test/ctx')).rejects.toThrow(/nothing is fetched/);
  });
});
