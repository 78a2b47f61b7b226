import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadApiKeys } from './api-keys';

describe('API keys', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'api-keys-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('grants admin to admin keys, read to read keys, and nothing to anything else', () => {
    const keys = loadApiKeys({
      dataDir,
      apiKeys: { read: ['reader-key-0123456789'], admin: ['admin-key-0123456789'] },
    });
    expect(keys.scopeOf('admin-key-0123456789')).toBe('admin');
    expect(keys.scopeOf('reader-key-0123456789')).toBe('read');
    expect(keys.scopeOf('reader-key-012345678')).toBeNull();
    expect(keys.scopeOf('')).toBeNull();
  });

  it('generates a read and an admin key at first boot, private to the owner, and reuses them later', () => {
    const first = loadApiKeys({ dataDir, apiKeys: { read: [], admin: [] } });
    const file = join(dataDir, 'api-keys.json');
    expect(first.origin).toContain('generated now');
    expect(statSync(file).mode & 0o077).toBe(0);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as {
      readKeys: string[];
      adminKeys: string[];
    };
    const second = loadApiKeys({ dataDir, apiKeys: { read: [], admin: [] } });
    expect(second.origin).not.toContain('generated');
    expect(second.scopeOf(stored.readKeys[0]!)).toBe('read');
    expect(second.scopeOf(stored.adminKeys[0]!)).toBe('admin');
  });

  it('never names a key in the origin it reports for the boot log', () => {
    const keys = loadApiKeys({ dataDir, apiKeys: { read: [], admin: [] } });
    const stored = readFileSync(join(dataDir, 'api-keys.json'), 'utf8');
    const { readKeys, adminKeys } = JSON.parse(stored) as {
      readKeys: string[];
      adminKeys: string[];
    };
    for (const key of [...readKeys, ...adminKeys]) expect(keys.origin).not.toContain(key);
  });
});

describe('API keys configured with read keys only', () => {
  const dataDir = join(tmpdir(), 'api-keys-never-written');

  it('says, without naming a key, that no admin key is left', () => {
    const keys = loadApiKeys({ dataDir, apiKeys: { read: ['reader-key-0123456789'], admin: [] } });
    expect(keys.warning).toContain('API_ADMIN_KEYS is not');
    expect(keys.warning).not.toContain('reader-key-0123456789');
    expect(keys.scopeOf('reader-key-0123456789')).toBe('read');
  });

  it('says nothing when an admin key is configured too, or when the keys are generated', () => {
    const both = loadApiKeys({
      dataDir,
      apiKeys: { read: ['r-0123456789'], admin: ['a-0123456789'] },
    });
    expect(both.warning).toBeUndefined();
    const adminOnly = loadApiKeys({ dataDir, apiKeys: { read: [], admin: ['a-0123456789'] } });
    expect(adminOnly.warning).toBeUndefined();
  });
});
