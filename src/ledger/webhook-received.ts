/**
 * The one fact the ingest path records: a verified webhook delivery, as received.
 * Everything else (balances, counts, campaign state) is derived from these.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from './json';

/** Every provider we take deliveries from, written once; `Provider` is derived from it. */
export const PROVIDERS = ['wix', 'talkable', 'growsurf', 'refir', 'standard'] as const;
export type Provider = (typeof PROVIDERS)[number];

export function isProvider(value: unknown): value is Provider {
  return typeof value === 'string' && (PROVIDERS as readonly string[]).includes(value);
}

export type VerificationMethod =
  | 'wix-jwt-rs256'
  | 'talkable-key'
  | 'talkable-signature'
  | 'growsurf-signature'
  | 'refir-path-token'
  | 'standard-webhooks-v1';

export interface Verification {
  readonly method: VerificationMethod;
  /** True when a cryptographic signature over the body was checked (false for shared keys and path tokens). */
  readonly signed: boolean;
  /** Which configured key matched (a name, never the secret). */
  readonly keyId: string;
}

export interface EntityRef {
  /** Wix entityFqdn, or a provider-defined entity kind. */
  readonly fqdn: string | null;
  readonly id: string | null;
  /** Wix `entityEventSequence`, an int64 kept as a decimal string; compare with BigInt. */
  readonly sequence: string | null;
}

export interface StoredDelivery {
  readonly contentType: string | null;
  /** Headers relevant for provenance (signature, ids, timestamps). Never credentials. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as received (Wix: the signed JWT; Talkable: the form with `key` removed). */
  readonly body: string;
}

export interface WebhookReceived {
  readonly provider: Provider;
  /** Which configured source accepted it: the provider name, or a Standard Webhooks source name. */
  readonly source: string;
  readonly providerEventType: string;
  readonly dedupeKey: string;
  /** Wix instanceId, Talkable site, GrowSurf campaign id, Standard Webhooks source; null when unknown. */
  readonly tenantId: string | null;
  readonly entity: EntityRef;
  readonly receivedAt: string;
  readonly verification: Verification;
  /** False for a verified delivery whose event type we do not know yet: kept, not projected. */
  readonly understood: boolean;
  /** The provider's payload, unwrapped and parsed (Wix: the domain event with its JSON strings parsed). */
  readonly payload: JsonObject;
  readonly delivery: StoredDelivery;
}

export const WEBHOOK_STREAM_PREFIX = 'webhook-';

/**
 * The stored event's schema (its `metadata.schema`); every one stays readable:
 * 1. the `WebhookReceived` whole: the parsed payload and the raw body both;
 * 2. sealed for erasure (src/erasure/sealed-delivery.ts);
 * 3. the `WebhookReceived` without its payload: the delivery's bytes are held
 *    once, and the payload is read back from them by the provider's own parser
 *    (src/providers/stored-webhook.ts).
 */
export const WEBHOOK_EVENT_SCHEMA = 3;

/**
 * The stored event type: the provider, then its own event type, the provider
 * named once (Wix's types already start with `wix.`). Stream names never
 * depend on it.
 */
export function webhookEventType(provider: Provider, providerEventType: string): string {
  return providerEventType.startsWith(`${provider}.`)
    ? providerEventType
    : `${provider}.${providerEventType}`;
}

const DOUBLED = new RegExp(`^(${PROVIDERS.join('|')})\\.\\1\\.`);

/**
 * A stored event type as `webhookEventType` names it now. Versions before it
 * stored Wix events as `wix.wix.…`; those events stay in the log for ever and
 * read like new ones wherever a type is shown or compared.
 */
export function readWebhookEventType(storedType: string): string {
  const doubled = DOUBLED.exec(storedType);
  return doubled === null ? storedType : storedType.slice(doubled[1]!.length + 1);
}

const UUID_NAMESPACE = Buffer.from('6f1c1e0a4b7d4c2a9e3f5a8b7c6d5e4f', 'hex');

/** RFC 4122 version 5 UUID (SHA-1, name-based) in a namespace of our own. */
export function uuidV5(name: string): string {
  const hash = createHash('sha1').update(UUID_NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * One stream per delivery, named after its dedupe key: appending with
 * `no_stream` is the durable duplicate guard on every adapter.
 */
export function deliveryStreamName(provider: Provider, dedupeKey: string): string {
  return deliveryStreamNameForId(provider, uuidV5(dedupeKey));
}

/** The same name from the delivery's event id (`uuidV5(dedupeKey)`), for a caller that has it. */
export function deliveryStreamNameForId(provider: Provider, eventId: string): string {
  return `${WEBHOOK_STREAM_PREFIX}${provider}-${eventId}`;
}
