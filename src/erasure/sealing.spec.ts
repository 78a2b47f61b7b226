import { bodyKey, newKey, open, seal, SealBroken } from './sealing';

describe('sealing (AES-256-GCM)', () => {
  const key = newKey();
  const text = Buffer.from('{"email":"friend@example.com"}');

  it('opens what it sealed, under the same key and associated data', () => {
    expect(open(key, seal(key, text, 'event-1 ps_a'), 'event-1 ps_a')).toEqual(text);
  });

  it('never seals the same text to the same bytes (a fresh nonce each time)', () => {
    expect(seal(key, text, 'a')).not.toEqual(seal(key, text, 'a'));
  });

  it('refuses another key, other associated data, and altered bytes', () => {
    const sealed = seal(key, text, 'event-1');
    expect(() => open(newKey(), sealed, 'event-1')).toThrow(SealBroken);
    expect(() => open(key, sealed, 'event-2')).toThrow(SealBroken);
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    expect(() => open(key, bytes.toString('base64url'), 'event-1')).toThrow(SealBroken);
  });

  it("derives a delivery's body key from every subject's key: missing any one, it is another key", () => {
    const advocate = newKey();
    const friend = newKey();
    const both = bodyKey([advocate, friend], 'e');
    const sealed = seal(both, text, 'e body');
    expect(open(bodyKey([advocate, friend], 'e'), sealed, 'e body')).toEqual(text);
    for (const partial of [[advocate], [friend], [advocate, advocate], [friend, advocate]]) {
      expect(() => open(bodyKey(partial, 'e'), sealed, 'e body')).toThrow(SealBroken);
    }
  });
});
