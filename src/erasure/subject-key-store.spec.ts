import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKey } from './sealing';
import { KEY_STORE_FILE, MasterKeyMismatch, SubjectKeyStore } from './subject-key-store';

describe('the subject key store', () => {
  let dir: string;
  const master = newKey();
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const openStore = (key = master) =>
    SubjectKeyStore.open({ file: join(dir, KEY_STORE_FILE), masterKey: key });
  const everyFile = () =>
    Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));

  it('gives a subject one key, the same after a restart, and another subject another', () => {
    const store = openStore();
    const a = store.currentKey('growsurf:c', 'ps_aaaaaaaaaaaaaaaaaaaaaaaa');
    const b = store.currentKey('growsurf:c', 'ps_bbbbbbbbbbbbbbbbbbbbbbbb');
    expect(b.keyId).not.toBe(a.keyId);
    store.close();
    const again = openStore();
    expect(again.currentKey('growsurf:c', 'ps_aaaaaaaaaaaaaaaaaaaaaaaa')).toEqual(a);
    expect(again.keyById(b.keyId)).toEqual(b.key);
    again.close();
  });

  it('never gives a pre-created key twice, even after a restart that forgot which were given', () => {
    const store = openStore();
    const given = store.currentKey('s', 'ps_aaaaaaaaaaaaaaaaaaaaaaaa');
    store.close();
    const again = openStore();
    const next = again.currentKey('s', 'ps_cccccccccccccccccccccccc');
    expect(next.keyId).not.toBe(given.keyId);
    again.close();
  });

  it('keeps no email in the clear: profiles are sealed, emails only blindly indexed', () => {
    const store = openStore();
    store.currentKey('s', 'ps_aaaaaaaaaaaaaaaaaaaaaaaa');
    store.rememberProfile('ps_aaaaaaaaaaaaaaaaaaaaaaaa', {
      email: 'friend@example.com',
      firstName: 'Frieda',
    });
    expect(store.pseudonymsByEmail('Friend@Example.com')).toEqual(['ps_aaaaaaaaaaaaaaaaaaaaaaaa']);
    expect(store.profileOf('ps_aaaaaaaaaaaaaaaaaaaaaaaa')).toEqual({
      email: 'friend@example.com',
      firstName: 'Frieda',
    });
    expect(everyFile().includes('friend@example.com')).toBe(false);
    expect(everyFile().includes('Frieda')).toBe(false);
    store.close();
  });

  it('destroys an erased key in the file and its WAL, and remembers when', () => {
    const store = openStore();
    const { keyId, key } = store.currentKey('s', 'ps_aaaaaaaaaaaaaaaaaaaaaaaa');
    const kept = store.currentKey('s', 'ps_bbbbbbbbbbbbbbbbbbbbbbbb');
    store.rememberProfile('ps_aaaaaaaaaaaaaaaaaaaaaaaa', { email: 'friend@example.com' });
    const row = (id: string) =>
      (
        store as unknown as { db: { prepare(s: string): { get(id: string): { wrapped: string } } } }
      ).db
        .prepare('SELECT wrapped FROM subject_keys WHERE key_id = ?')
        .get(id).wrapped;
    const wrapped = row(keyId);
    expect(everyFile().includes(wrapped)).toBe(true);
    const result = store.erase({
      requestId: 'r-1',
      erasedAt: '2026-12-02T00:00:00.000Z',
      pseudonyms: ['ps_aaaaaaaaaaaaaaaaaaaaaaaa'],
      keyIds: [],
    });
    expect(result.keysDestroyed).toBe(1);
    expect(store.keyById(keyId)).toBeUndefined();
    expect(store.profileOf('ps_aaaaaaaaaaaaaaaaaaaaaaaa')).toBeUndefined();
    expect(store.pseudonymsByEmail('friend@example.com')).toEqual([]);
    expect(store.erasureOf(keyId)).toEqual({
      requestId: 'r-1',
      erasedAt: '2026-12-02T00:00:00.000Z',
    });
    expect(store.keyById(kept.keyId)).toEqual(kept.key);
    // Neither the wrapped key nor the key itself is left in any byte of the directory, WAL included.
    expect(everyFile().includes(wrapped)).toBe(false);
    expect(everyFile().includes(key)).toBe(false);
    expect(everyFile().includes(Buffer.from(wrapped, 'base64url'))).toBe(false);
    store.close();
  });

  it('refuses to open under another master key (key loss is loud, never silent)', () => {
    openStore().close();
    expect(() => openStore(newKey())).toThrow(MasterKeyMismatch);
  });
});
