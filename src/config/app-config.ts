/** The validated, frozen configuration. Only `loadConfig` reads `process.env`. */
import type { KeyObject } from 'node:crypto';

export interface NamedSecret {
  /** Names the secret in logs and stored events; never the secret itself. */
  readonly id: string;
  readonly secret: string;
}

export interface WixAppKey {
  /** Wix app id when configured per app, else `default`. */
  readonly id: string;
  readonly key: KeyObject;
}

export interface StandardWebhookSource {
  readonly name: string;
  /** `whsec_…` secrets; several allow rotation. */
  readonly secrets: readonly NamedSecret[];
}

export type EventStoreConfig = (
  | { readonly kind: 'sqlite'; readonly dataDir: string }
  | { readonly kind: 'eventstoredb'; readonly connectionString: string }
) & {
  /** EVENTSTORE_MAX_APPEND_BYTES; absent: the adapter's default (1 MiB EventStoreDB, 16 MiB SQLite). */
  readonly maxAppendSize?: number;
};

export interface WebhooksConfig {
  readonly bodyLimitBytes: number;
  readonly wix: { readonly keys: readonly WixAppKey[] };
  /** Per Talkable site (`site` form field) or `*` for any site. */
  readonly talkable: { readonly keys: readonly NamedSecret[] };
  /** Per GrowSurf campaign id or `*` for any campaign. */
  readonly growsurf: { readonly secrets: readonly NamedSecret[]; readonly toleranceMs: number };
  readonly refir: { readonly token: string | undefined };
  readonly standard: {
    readonly sources: ReadonlyMap<string, StandardWebhookSource>;
    readonly toleranceSeconds: number;
  };
}

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly eventStore: EventStoreConfig;
  readonly logLevel: 'error' | 'warn' | 'log' | 'debug';
  /** JSON lines, or readable lines (`auto`: readable on a terminal only). */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  readonly webhooks: WebhooksConfig;
  /** Currency assumed for an amount sent without one, per source (`talkable`, …) or `*`. */
  readonly defaultCurrencies: ReadonlyMap<string, string>;
  readonly apiKeys: { readonly read: readonly string[]; readonly admin: readonly string[] };
  /**
   * SUBJECT_MASTER_KEY: wraps every key of the subject key store. Set, new
   * deliveries are stored sealed (schema 2) and can be erased; unset, they are
   * stored as before and erasure is unavailable (docs/erasure.md).
   */
  readonly erasure: { readonly masterKey: KeyObject | undefined };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
