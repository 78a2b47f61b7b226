import { generateKeyPairSync } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './load-config';

const rsaPem = (): string =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('defaults to port 3000, ./data and the embedded store when nothing is set', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(resolve('./data'));
    expect(config.eventStore).toEqual({ kind: 'sqlite', dataDir: resolve('./data') });
    expect(config.webhooks.bodyLimitBytes).toBe(1024 * 1024);
  });

  it('uses EventStoreDB when a connection string is configured', () => {
    const config = loadConfig({ EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' });
    expect(config.eventStore).toEqual({
      kind: 'eventstoredb',
      connectionString: 'esdb://localhost:2113?tls=false',
    });
  });

  it.each([
    ['kurrentdb://localhost:2113?tls=false', 'esdb://'],
    ['kurrentdb+discover://cluster.local:2113', 'esdb+discover://'],
    ['kdb://localhost:2113', 'esdb://'],
  ])(
    'refuses %s at boot, naming the forms this client accepts',
    (connectionString, replacement) => {
      const [problem, ...others] = problemsOf({ EVENTSTORE_CONNECTION_STRING: connectionString });
      expect(others).toEqual([]);
      expect(problem).toMatch(/^EVENTSTORE_CONNECTION_STRING: /);
      expect(problem).toContain('esdb://');
      expect(problem).toContain('esdb+discover://');
      expect(problem).toContain(`write ${replacement}`);
    },
  );

  it('accepts the esdb+discover:// form', () => {
    expect(
      problemsOf({ EVENTSTORE_CONNECTION_STRING: 'esdb+discover://cluster.local:2113' }),
    ).toEqual([]);
  });

  it('reads the largest append from EVENTSTORE_MAX_APPEND_BYTES, and leaves the default to the adapter', () => {
    const sized = loadConfig({
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
      EVENTSTORE_MAX_APPEND_BYTES: String(16 * 1024 * 1024),
    });
    expect(sized.eventStore.maxAppendSize).toBe(16 * 1024 * 1024);
    expect(loadConfig({}).eventStore.maxAppendSize).toBeUndefined();
    expect(problemsOf({ EVENTSTORE_MAX_APPEND_BYTES: '1MiB' })).toEqual([
      expect.stringMatching(/^EVENTSTORE_MAX_APPEND_BYTES: /),
    ]);
  });

  it('lists every bad key at once instead of stopping at the first', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      EVENTSTORE_CONNECTION_STRING: 'http://localhost:2113',
      LOG_LEVEL: 'loud',
      WIX_APP_PUBLIC_KEY: 'not a key',
      REFIR_WEBHOOK_TOKEN: 'short',
      STANDARD_WEBHOOK_SOURCES: 'acme=not-a-whsec',
      DEFAULT_CURRENCIES: 'talkable=dollars',
    });
    const keys = problems.map((problem) => problem.split(':')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'PORT',
        'EVENTSTORE_CONNECTION_STRING',
        'LOG_LEVEL',
        'WIX_APP_PUBLIC_KEY',
        'REFIR_WEBHOOK_TOKEN',
        'STANDARD_WEBHOOK_SOURCES',
        'DEFAULT_CURRENCIES',
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('writes JSON logs unless LOG_FORMAT asks for readable lines (auto: on a terminal only)', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(problemsOf({ LOG_FORMAT: 'text' })).toEqual([
      'LOG_FORMAT: expected one of auto, json, pretty, got "text"',
    ]);
  });

  it('refuses a Refir token longer than the router routes (it could never be delivered)', () => {
    expect(problemsOf({ REFIR_WEBHOOK_TOKEN: 'a'.repeat(257) })).toEqual([
      expect.stringMatching(/^REFIR_WEBHOOK_TOKEN: use 24 to 256 /),
    ]);
    expect(problemsOf({ REFIR_WEBHOOK_TOKEN: 'a'.repeat(256) })).toEqual([]);
  });

  it('reads SUBJECT_MASTER_KEY as 32 bytes in hex or base64, refuses any other length without echoing it', () => {
    const bytes = Buffer.alloc(32, 7);
    for (const value of [bytes.toString('hex'), bytes.toString('base64')]) {
      expect(loadConfig({ SUBJECT_MASTER_KEY: value }).erasure.masterKey?.export()).toEqual(bytes);
    }
    expect(loadConfig({}).erasure.masterKey).toBeUndefined();
    const short = Buffer.alloc(16, 7).toString('base64');
    const problems = problemsOf({ SUBJECT_MASTER_KEY: short });
    expect(problems).toEqual([expect.stringMatching(/^SUBJECT_MASTER_KEY: expected 32 bytes/)]);
    expect(problems.join('\n')).not.toContain(short);
  });

  it('never repeats a secret in a problem message', () => {
    const secret = 'tiny';
    const problems = problemsOf({
      TALKABLE_WEBHOOK_KEY: secret,
      GROWSURF_WEBHOOK_SECRETS: `c1=${secret}`,
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('accepts a Wix public key as PEM, as PEM with escaped newlines, or as base64 of the PEM', () => {
    const pem = rsaPem();
    for (const value of [pem, pem.replace(/\n/g, '\\n'), Buffer.from(pem).toString('base64')]) {
      const config = loadConfig({ WIX_APP_PUBLIC_KEY: value });
      expect(config.webhooks.wix.keys.map((key) => key.id)).toEqual(['default']);
    }
  });

  it('reads scoped secrets per site, campaign and app next to an unscoped one', () => {
    const config = loadConfig({
      TALKABLE_WEBHOOK_KEY: 'any-site-key',
      TALKABLE_WEBHOOK_KEYS: 'shop-eu=eu-site-key,shop-us=us-site-key',
      GROWSURF_WEBHOOK_SECRETS: 'ct8f71=campaign-secret',
      WIX_APP_PUBLIC_KEYS: `app-1=${Buffer.from(rsaPem()).toString('base64')}`,
    });
    expect(config.webhooks.talkable.keys.map((key) => key.id)).toEqual(['*', 'shop-eu', 'shop-us']);
    expect(config.webhooks.growsurf.secrets).toEqual([{ id: 'ct8f71', secret: 'campaign-secret' }]);
    expect(config.webhooks.wix.keys.map((key) => key.id)).toEqual(['app-1']);
  });

  it('keeps base64 padding of whsec_ secrets and supports several secrets per source for rotation', () => {
    const first = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const second = `whsec_${Buffer.alloc(32, 2).toString('base64')}=`.replace(/==$/, '=');
    const config = loadConfig({ STANDARD_WEBHOOK_SOURCES: `acme=${first}|${second}` });
    const acme = config.webhooks.standard.sources.get('acme');
    expect(acme?.secrets.map((s) => s.secret)).toEqual([first, second]);
    expect(acme?.secrets.map((s) => s.id)).toEqual(['acme#1', 'acme#2']);
  });

  it('freezes the configuration', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.webhooks.growsurf)).toBe(true);
  });
});
