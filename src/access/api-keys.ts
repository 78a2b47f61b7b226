/**
 * Query API keys. Configured keys win; without any, a read key and an admin
 * key are generated at first boot into DATA_DIR/api-keys.json (mode 0600).
 * The keys are never logged: the boot message names the file instead.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';

export type Scope = 'read' | 'admin';

export interface ApiKeys {
  /** The strongest scope the presented key grants, or null. Constant time per configured key. */
  scopeOf(presented: string): Scope | null;
  /** Where the keys came from, for the boot message (never the keys). */
  readonly origin: string;
  /** Said once at boot when the configuration leaves a scope without a key (never names a key). */
  readonly warning?: string;
}

interface KeyFile {
  readKeys: string[];
  adminKeys: string[];
}

export const ONLY_READ_KEYS =
  'API_READ_KEYS is set and API_ADMIN_KEYS is not: no key is an admin key, so every admin route (/projections/*, /events/*, /metrics) answers 403. Set API_ADMIN_KEYS to use them.';

export function loadApiKeys(config: Pick<AppConfig, 'apiKeys' | 'dataDir'>): ApiKeys {
  const { read, admin } = config.apiKeys;
  if (read.length > 0 || admin.length > 0) {
    const keys = apiKeys(read, admin, 'API_READ_KEYS/API_ADMIN_KEYS');
    // Configured keys replace the generated file entirely: read keys alone leave no admin key at all.
    return admin.length > 0 ? keys : { ...keys, warning: ONLY_READ_KEYS };
  }
  const file = join(config.dataDir, 'api-keys.json');
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    const generated: KeyFile = {
      readKeys: [`rl_read_${randomBytes(24).toString('base64url')}`],
      adminKeys: [`rl_admin_${randomBytes(24).toString('base64url')}`],
    };
    writeFileSync(file, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return apiKeys(generated.readKeys, generated.adminKeys, `${file} (generated now)`);
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFile>;
  return apiKeys(stored.readKeys ?? [], stored.adminKeys ?? [], file);
}

function apiKeys(read: readonly string[], admin: readonly string[], origin: string): ApiKeys {
  const digest = (key: string): Buffer => createHash('sha256').update(key).digest();
  const readDigests = read.map(digest);
  const adminDigests = admin.map(digest);
  const matches = (candidate: Buffer, digests: Buffer[]): boolean =>
    digests.reduce((found, known) => timingSafeEqual(candidate, known) || found, false);
  return {
    origin,
    scopeOf: (presented) => {
      const candidate = digest(presented);
      if (matches(candidate, adminDigests)) return 'admin';
      return matches(candidate, readDigests) ? 'read' : null;
    },
  };
}

export const API_KEYS = Symbol('API_KEYS');
