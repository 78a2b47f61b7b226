import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import type {
  AppConfig,
  NamedSecret,
  StandardWebhookSource,
  WebhooksConfig,
  WixAppKey,
} from './app-config';
import { MAX_PARAM_LENGTH } from '../http/http-server';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads every setting once, collects every problem, and throws them together. */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const port = read.integer('PORT', 3000, 0, 65535);
  const host = read.text('HOST') ?? '0.0.0.0';
  const dataDir = resolve(read.text('DATA_DIR') ?? './data');
  const connectionString = read.text('EVENTSTORE_CONNECTION_STRING');
  const connectionProblem = checkConnectionString(connectionString);
  if (connectionProblem !== undefined)
    problems.push(`EVENTSTORE_CONNECTION_STRING: ${connectionProblem}`);
  const maxAppendBytes = read.optionalInteger('EVENTSTORE_MAX_APPEND_BYTES', 1024, 1024 ** 3);
  const logLevel = read.oneOf('LOG_LEVEL', ['error', 'warn', 'log', 'debug'] as const, 'log');
  const logFormat = read.oneOf('LOG_FORMAT', ['auto', 'json', 'pretty'] as const, 'auto');

  const webhooks: WebhooksConfig = {
    bodyLimitBytes: read.integer('WEBHOOK_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    wix: { keys: readWixKeys(read, problems) },
    talkable: { keys: read.secrets('TALKABLE_WEBHOOK_KEY', 'TALKABLE_WEBHOOK_KEYS') },
    growsurf: {
      secrets: read.secrets('GROWSURF_WEBHOOK_SECRET', 'GROWSURF_WEBHOOK_SECRETS'),
      toleranceMs:
        read.integer('GROWSURF_SIGNATURE_TOLERANCE_SECONDS', 300, 1, 7 * 24 * 3600) * 1000,
    },
    refir: { token: readRefirToken(read, problems) },
    standard: {
      sources: readStandardSources(read, problems),
      toleranceSeconds: read.integer('STANDARD_WEBHOOK_TOLERANCE_SECONDS', 300, 1, 24 * 3600),
    },
  };

  const defaultCurrencies = new Map<string, string>();
  const single = read.text('DEFAULT_CURRENCY');
  if (single !== undefined) defaultCurrencies.set('*', single.toUpperCase());
  for (const [source, currency] of read.pairs('DEFAULT_CURRENCIES')) {
    defaultCurrencies.set(source, currency.toUpperCase());
  }
  for (const [source, currency] of defaultCurrencies) {
    if (!/^[A-Z]{3}$/.test(currency)) {
      problems.push(`DEFAULT_CURRENCIES: ${source}: "${currency}" is not an ISO 4217 code`);
    }
  }

  const apiKeys = { read: read.list('API_READ_KEYS'), admin: read.list('API_ADMIN_KEYS') };
  for (const key of [...apiKeys.read, ...apiKeys.admin]) {
    if (key.length < 16)
      problems.push('API_READ_KEYS/API_ADMIN_KEYS: every key needs at least 16 characters');
  }

  const masterKey = readMasterKey(read, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze({
    host,
    port,
    dataDir,
    eventStore: {
      ...(connectionString === undefined
        ? { kind: 'sqlite' as const, dataDir }
        : { kind: 'eventstoredb' as const, connectionString }),
      ...(maxAppendBytes === undefined ? {} : { maxAppendSize: maxAppendBytes }),
    },
    logLevel,
    logFormat,
    webhooks,
    defaultCurrencies,
    apiKeys,
    erasure: { masterKey },
  });
}

/** 32 bytes, as 64 hex digits or base64: never echoed in a problem, never logged. */
function readMasterKey(read: Reader, problems: string[]): KeyObject | undefined {
  const raw = read.text('SUBJECT_MASTER_KEY');
  if (raw === undefined) return undefined;
  const bytes = /^[0-9a-fA-F]{64}$/.test(raw)
    ? Buffer.from(raw, 'hex')
    : Buffer.from(raw, 'base64');
  if (
    bytes.length !== 32 ||
    (!/^[0-9a-fA-F]{64}$/.test(raw) && !/^[A-Za-z0-9+/_-]{43}=?$/.test(raw))
  ) {
    problems.push(
      'SUBJECT_MASTER_KEY: expected 32 bytes as 64 hex digits or base64 (openssl rand -base64 32)',
    );
    return undefined;
  }
  return createSecretKey(bytes);
}

/**
 * @eventstore/db-client 6.2.1 parses only these two schemes
 * (Client/parseConnectionString.js) and throws on anything else at the first
 * connection; `kurrentdb://` is the newer clients' form and is refused here,
 * at boot, with the forms that work.
 */
function checkConnectionString(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // As the parser matches it: after trimming, case-sensitive.
  const scheme = /^([^:]+):\/\//.exec(value.trim())?.[1];
  if (scheme === 'esdb' || scheme === 'esdb+discover') return undefined;
  const accepted =
    "this service's client (@eventstore/db-client 6.2.1) accepts esdb://host:2113?tls=false and esdb+discover://host:2113 (a cluster)";
  if (scheme !== undefined && /^(kurrent|kdb)/i.test(scheme)) {
    return `${scheme}:// is the KurrentDB clients' scheme; ${accepted}: write esdb${scheme.includes('+discover') ? '+discover' : ''}:// with the same hosts and settings`;
  }
  return `expected a connection string: ${accepted}`;
}

function readWixKeys(read: Reader, problems: string[]): WixAppKey[] {
  const keys: WixAppKey[] = [];
  const add = (id: string, value: string, name: string): void => {
    try {
      keys.push({ id, key: parseRsaPublicKey(value) });
    } catch {
      problems.push(`${name}: ${id}: not an RSA public key (PEM, or base64 of the PEM)`);
    }
  };
  const single = read.text('WIX_APP_PUBLIC_KEY');
  if (single !== undefined) add('default', single, 'WIX_APP_PUBLIC_KEY');
  for (const [id, value] of read.pairs('WIX_APP_PUBLIC_KEYS'))
    add(id, value, 'WIX_APP_PUBLIC_KEYS');
  return keys;
}

/** Wix hands out the key as a multi-line PEM; env files often hold it base64-encoded or with `\n`. */
export function parseRsaPublicKey(value: string) {
  const text = value.includes('-----BEGIN')
    ? value.replace(/\\n/g, '\n')
    : Buffer.from(value, 'base64').toString('utf8');
  const key = createPublicKey({ key: text, format: 'pem' });
  if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  return key;
}

function readRefirToken(read: Reader, problems: string[]): string | undefined {
  const token = read.text('REFIR_WEBHOOK_TOKEN');
  // The router refuses longer path segments (414), so a longer token could never be delivered.
  const pattern = new RegExp(`^[A-Za-z0-9_-]{24,${MAX_PARAM_LENGTH}}$`);
  if (token !== undefined && !pattern.test(token)) {
    problems.push(
      `REFIR_WEBHOOK_TOKEN: use 24 to ${MAX_PARAM_LENGTH} URL-safe characters (letters, digits, - and _)`,
    );
  }
  return token;
}

function readStandardSources(read: Reader, problems: string[]): Map<string, StandardWebhookSource> {
  const sources = new Map<string, StandardWebhookSource>();
  for (const [name, value] of read.pairs('STANDARD_WEBHOOK_SOURCES')) {
    if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(name)) {
      problems.push(
        `STANDARD_WEBHOOK_SOURCES: source name "${name}" must be lower-case letters, digits, - or _`,
      );
      continue;
    }
    const secrets = value
      .split('|')
      .map((secret, index) => ({ id: `${name}#${index + 1}`, secret }));
    for (const { secret, id } of secrets) {
      const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : '';
      if (base64.length === 0 || Buffer.from(base64, 'base64').length < 16) {
        problems.push(
          `STANDARD_WEBHOOK_SOURCES: ${id}: expected a whsec_ secret with at least 16 bytes`,
        );
      }
    }
    sources.set(name, { name, secrets });
  }
  return sources;
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  text(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    return this.text(name) === undefined ? undefined : this.integer(name, min, min, max);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.text(name);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  }

  list(name: string): string[] {
    return (this.text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** `id=value,id=value`; split on the first `=` so that base64 padding survives. */
  pairs(name: string): [string, string][] {
    const pairs: [string, string][] = [];
    for (const item of this.list(name)) {
      const at = item.indexOf('=');
      if (at <= 0 || at === item.length - 1) {
        this.problems.push(`${name}: expected id=value pairs separated by commas`);
        continue;
      }
      pairs.push([item.slice(0, at).trim(), item.slice(at + 1).trim()]);
    }
    return pairs;
  }

  /** One unscoped secret (`*`) and/or scoped `id=secret` pairs. */
  secrets(singleName: string, scopedName: string): NamedSecret[] {
    const secrets: NamedSecret[] = [];
    const single = this.text(singleName);
    if (single !== undefined) secrets.push({ id: '*', secret: single });
    for (const [id, secret] of this.pairs(scopedName)) secrets.push({ id, secret });
    for (const { id, secret } of secrets) {
      if (secret.length < 8)
        this.problems.push(`${id === '*' ? singleName : scopedName}: ${id}: secret too short`);
    }
    return secrets;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    if (value instanceof Map || ArrayBuffer.isView(value) || isKeyObject(value)) return value;
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function isKeyObject(value: object): boolean {
  return (
    value.constructor?.name === 'PublicKeyObject' || value.constructor?.name === 'SecretKeyObject'
  );
}
