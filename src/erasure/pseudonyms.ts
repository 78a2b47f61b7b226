/**
 * Stable pseudonyms: what the read models hold instead of a person's email,
 * name or contact id. HMAC-SHA256 under a per-tenant key that lives in the key
 * store (erasable like any other key): the same person in the same tenant gets
 * the same pseudonym in every delivery and every rebuild, and nobody without
 * the tenant key can test an email address against it.
 */
import { createHmac } from 'node:crypto';

/** `ps_` and 24 lower-case hex digits (96 bits): lower case, so `emailAt` leaves it as it is. */
export const PSEUDONYM = /ps_[0-9a-f]{24}/;
/** A pseudonym standing for one field of the person: `ps_<hex>.<field>`. */
export const FIELD_TOKEN = /ps_[0-9a-f]{24}\.[A-Za-z_][A-Za-z0-9_]*/g;

export type IdentityKind = 'id' | 'email' | 'contact';

export interface Identity {
  readonly kind: IdentityKind;
  readonly value: string;
}

/** Emails compare trimmed and lower-cased (as the translations compare them); ids as sent. */
export function identityText(identity: Identity): string {
  const value =
    identity.kind === 'email' ? identity.value.trim().toLowerCase() : identity.value.trim();
  return `${identity.kind}:${value}`;
}

export function pseudonymOf(tenantKey: Buffer, identity: Identity): string {
  const mac = createHmac('sha256', tenantKey).update(identityText(identity), 'utf8').digest('hex');
  return `ps_${mac.slice(0, 24)}`;
}

export function fieldToken(pseudonym: string, field: string): string {
  return `${pseudonym}.${field}`;
}

/** The blind index of an email in the key store: finds a person's subjects by email without storing it. */
export function emailIndexOf(indexKey: Buffer, email: string): string {
  return createHmac('sha256', indexKey).update(email.trim().toLowerCase(), 'utf8').digest('hex');
}

/** `provider:tenant`: the scope a pseudonym is stable in. */
export function tenantScope(provider: string, tenant: string | null): string {
  return `${provider}:${tenant ?? '-'}`;
}
