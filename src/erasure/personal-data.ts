/**
 * Which parts of a delivery's payload are personal, and whose: the data
 * subjects a delivery names (an advocate, a friend, a Wix contact) and, for
 * each, the fields that are theirs. Pure: no keys here, only the split of a
 * payload into a skeleton (personal fields replaced by pseudonym tokens, what
 * the projections fold) and the personal values per subject (what gets sealed).
 *
 * A person object is an object with a marker key (`email`, a name, a contact
 * id, an IP address). Its identity is the provider's own: GrowSurf, Refir and
 * Standard Webhooks senders name people by `id` (else email), Talkable by email
 * (its person has no id, docs/providers.md#talkable), Wix by `contactId`. A
 * nested person object without an identity of its own (Talkable's
 * `referrer.person`) belongs to the nearest enclosing person. Any other string
 * that looks like an email address is a subject of its own: the net for
 * fields no rule names.
 */
import type { JsonObject, JsonValue } from '../event-store/event-store.port';
import type { Provider } from '../ledger/webhook-received';
import { fieldToken, type Identity } from './pseudonyms';

/** The keys whose values inside a person object are that person's. */
const PERSONAL_KEYS: ReadonlySet<string> = new Set([
  'email',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'fullName',
  'full_name',
  'name',
  'username',
  'phone',
  'phoneNumber',
  'phone_number',
  'ip',
  'ipAddress',
  'ip_address',
  'customer_id',
  'customerId',
  'contactId',
  'notes',
  'metadata',
  'address',
]);

/** Keys that make an object a person object (`name` alone does not: campaigns and programs have names). */
const MARKER_KEYS: readonly string[] = [
  'email',
  'contactId',
  'firstName',
  'lastName',
  'first_name',
  'last_name',
  'ip_address',
  'ipAddress',
];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type PathStep = string | number;

export interface PersonalValue {
  readonly path: readonly PathStep[];
  readonly value: JsonValue;
}

export interface NamedSubject {
  readonly identity: Identity;
  readonly pseudonym: string;
  /** Where the skeleton holds this subject's tokens, with the values they replace. */
  readonly values: readonly PersonalValue[];
  /** The subject's own fields by key (email, first_name…), the last one seen: what the API reveals. */
  readonly profile: Readonly<Record<string, string>>;
}

export interface SplitPayload {
  readonly skeleton: JsonObject;
  /** In the order the payload first names them. */
  readonly subjects: readonly NamedSubject[];
}

export type PseudonymFor = (identity: Identity) => string;

export function splitPersonalData(
  provider: Provider,
  payload: JsonObject,
  pseudonymFor: PseudonymFor,
): SplitPayload {
  const subjects = new Map<
    string,
    {
      identity: Identity;
      pseudonym: string;
      values: PersonalValue[];
      profile: Record<string, string>;
    }
  >();
  const subjectOf = (identity: Identity) => {
    const pseudonym = pseudonymFor(identity);
    let subject = subjects.get(pseudonym);
    if (subject === undefined) {
      subject = { identity, pseudonym, values: [], profile: {} };
      subjects.set(pseudonym, subject);
    }
    return subject;
  };
  const take = (identity: Identity, path: PathStep[], key: string, value: JsonValue): string => {
    const subject = subjectOf(identity);
    subject.values.push({ path, value });
    if (typeof value === 'string' || typeof value === 'number')
      subject.profile[key] = String(value);
    return fieldToken(subject.pseudonym, key);
  };

  // One path stack for the walk, copied only where a value is taken: the walk runs on every delivery.
  const path: PathStep[] = [];
  const walk = (value: JsonValue, owner: Identity | null, key: string): JsonValue => {
    if (typeof value === 'string') {
      // An email where no rule expected one is a subject of its own (erasable by that email).
      return value.includes('@') && EMAIL.test(value.trim())
        ? take({ kind: 'email', value: value.trim().toLowerCase() }, [...path], key, value)
        : value;
    }
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) {
      const items: JsonValue[] = [];
      for (let i = 0; i < value.length; i += 1) {
        path.push(i);
        items.push(walk(value[i]!, owner, key));
        path.pop();
      }
      return items;
    }
    const marked = isPerson(value);
    const own = marked ? identityOf(provider, value) : null;
    const person = own ?? (marked ? owner : null);
    const result: JsonObject = {};
    for (const childKey of Object.keys(value)) {
      const child = value[childKey]!;
      path.push(childKey);
      result[childKey] =
        person !== null && PERSONAL_KEYS.has(childKey) && child !== null
          ? take(person, [...path], childKey, child)
          : walk(child, own ?? owner, childKey);
      path.pop();
    }
    return result;
  };

  const skeleton = walk(payload, null, '') as JsonObject;
  return { skeleton, subjects: [...subjects.values()] };
}

/** Puts sealed values back where their tokens are: the payload as received, for whatever is still held. */
export function mergePersonalData(
  skeleton: JsonObject,
  values: readonly PersonalValue[],
): JsonObject {
  const payload = structuredClone(skeleton);
  for (const { path, value } of values) {
    let node: JsonValue = payload;
    for (const step of path.slice(0, -1)) {
      node = (node as Record<string | number, JsonValue>)[step] ?? null;
      if (node === null || typeof node !== 'object') break;
    }
    const last = path[path.length - 1];
    if (last !== undefined && node !== null && typeof node === 'object')
      (node as Record<string | number, JsonValue>)[last] = value;
  }
  return payload;
}

/** Wix marks the updates and deletions its anonymize flow sends: the person they name is to be forgotten. */
export function anonymizeRequested(provider: Provider, payload: JsonObject): boolean {
  if (provider !== 'wix') return false;
  const event = payload.data;
  const flagged = (value: JsonValue | undefined): boolean =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? value.triggeredByAnonymizeRequest === true
      : false;
  // Stored under `data` (the domain event); a bare domain event carries it at the top.
  return flagged(event) || payload.triggeredByAnonymizeRequest === true;
}

function isPerson(value: JsonObject): boolean {
  return MARKER_KEYS.some((key) => key in value && value[key] !== null);
}

function identityOf(provider: Provider, person: JsonObject): Identity | null {
  const email = textOf(person.email);
  switch (provider) {
    case 'wix': {
      const contact = textOf(person.contactId);
      if (contact !== null) return { kind: 'contact', value: contact };
      break;
    }
    case 'talkable':
      break;
    case 'growsurf':
    case 'refir':
    case 'standard': {
      const id = textOf(person.id);
      if (id !== null) return { kind: 'id', value: id };
      break;
    }
  }
  return email === null ? null : { kind: 'email', value: email.trim().toLowerCase() };
}

function textOf(value: JsonValue | undefined): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}
