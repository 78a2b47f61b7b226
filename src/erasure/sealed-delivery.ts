/**
 * Schema 2 of the stored delivery: the personal parts sealed, the rest in the
 * clear for the projections.
 *
 * - `payload` is the skeleton: the parsed payload with each personal field
 *   replaced by its subject's pseudonym token (`ps_<hex>.email`). It is what
 *   the projections fold, before and after any erasure alike, so totals,
 *   counts and rebuilds never depend on a key.
 * - `subjects` lists each data subject the delivery names: pseudonym, key id,
 *   and that subject's own values sealed under that subject's key alone.
 * - the raw body is held once. When it is exactly the payload's JSON (GrowSurf,
 *   Standard Webhooks and Refir senders post compact JSON) it is not stored
 *   at all: `delivery.bodyFrom: 'payload'`, rebuilt byte for byte from the
 *   skeleton and every subject's values. Otherwise (a Wix JWT, a Talkable
 *   form) `delivery.sealedBody` holds it deflated, sealed under a key derived
 *   from every named subject's key. Either way, erasing any one subject makes
 *   the body unreadable, whoever holds the others' keys.
 *
 * Nothing derivable from the body is stored beside it but the skeleton, which
 * is what must outlive it (docs/erasure.md#the-stored-event).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { JsonObject, JsonValue } from '../event-store/event-store.port';
import type { WebhookReceived } from '../ledger/webhook-received';
import { webhookFromStored } from '../providers/stored-webhook';
import {
  mergePersonalData,
  splitPersonalData,
  type PathStep,
  type PersonalValue,
  type SplitPayload,
} from './personal-data';
import { fieldToken, tenantScope, type Identity } from './pseudonyms';
import { bodyKey, open, seal, SealBroken } from './sealing';
import type { Erasure, SubjectKey } from './subject-key-store';

export const SEALED_EVENT_SCHEMA = 2;

/** What sealing needs of the key store. */
export interface SealingKeys {
  tenantKey(scope: string): Buffer;
  pseudonymOf(scope: string, identity: Identity): string;
  currentKey(scope: string, pseudonym: string): SubjectKey;
  rememberProfile(pseudonym: string, profile: Readonly<Record<string, string>>): void;
}

/** What opening needs of the key store. */
export interface OpeningKeys {
  tenantKey(scope: string): Buffer;
  keyById(keyId: string): Buffer | undefined;
  erasureOf(keyId: string): Erasure | undefined;
}

export interface SealedSubject {
  readonly pseudonym: string;
  readonly keyId: string;
  readonly values: string;
}

export function sealDelivery(
  event: WebhookReceived,
  eventId: string,
  keys: SealingKeys,
): JsonObject {
  const scope = tenantScope(event.provider, event.tenantId);
  const tenantKey = keys.tenantKey(scope);
  const split = splitPersonalData(event.provider, event.payload, (identity) =>
    keys.pseudonymOf(scope, identity),
  );
  const subjectKeys: Buffer[] = [];
  const subjects: JsonObject[] = split.subjects.map((subject) => {
    const { keyId, key } = keys.currentKey(scope, subject.pseudonym);
    keys.rememberProfile(subject.pseudonym, subject.profile);
    subjectKeys.push(key);
    return {
      pseudonym: subject.pseudonym,
      keyId,
      // Not deflated: a few short fields, where zlib's set-up costs more than it saves.
      values: seal(
        key,
        Buffer.from(
          JSON.stringify(subject.values.map((v) => [pointerOf(v.path), v.value])),
          'utf8',
        ),
        valuesAad(eventId, subject.pseudonym, keyId),
      ),
    };
  });
  const body = event.delivery.body;
  const derived =
    event.delivery.contentType !== null &&
    body.length > 0 &&
    body.startsWith('{') &&
    JSON.stringify(event.payload) === body;
  const stored: JsonObject = derived
    ? { bodyFrom: 'payload' }
    : {
        sealedBody: seal(
          bodyKey(subjectKeys.length > 0 ? subjectKeys : [tenantKey], eventId),
          deflateRawSync(Buffer.from(body, 'utf8'), { level: 1 }),
          `${eventId} body`,
        ),
      };
  // Talkable names a person by email in its dedupe key and entity id: tokens there too.
  const redact = redactor(split.subjects);
  return {
    provider: event.provider,
    source: event.source,
    providerEventType: event.providerEventType,
    dedupeKey: redact(event.dedupeKey),
    tenantId: event.tenantId,
    entity: { ...event.entity, id: event.entity.id === null ? null : redact(event.entity.id) },
    receivedAt: event.receivedAt,
    verification: { ...event.verification },
    understood: event.understood,
    payload: split.skeleton,
    subjects,
    delivery: {
      contentType: event.delivery.contentType,
      headers: { ...event.delivery.headers },
      ...stored,
    },
  };
}

export interface SubjectHeld {
  readonly pseudonym: string;
  readonly keyId: string;
  readonly held: boolean;
  /** This subject's own fields in the delivery (none when not held). */
  readonly values: readonly PersonalValue[];
  /** When no longer held: erased on request (with the date), or its key lost. */
  readonly erasure: Erasure | 'key lost' | null;
}

export interface OpenedDelivery {
  /** The delivery as it was received, with whatever is no longer held left as pseudonym tokens. */
  readonly received: WebhookReceived;
  readonly bodyHeld: boolean;
  readonly subjects: readonly SubjectHeld[];
  /** The earliest erasure among the subjects, when any was erased. */
  readonly erasedAt: string | null;
}

/** Reads a stored delivery of either schema back as received, opening what can still be opened. */
export function openDelivery(data: JsonObject, eventId: string, keys: OpeningKeys): OpenedDelivery {
  if (!isSealed(data)) {
    return {
      received: webhookFromStored(data),
      bodyHeld: true,
      subjects: [],
      erasedAt: null,
    };
  }
  const { subjects: _listed, ...envelope } = data;
  const received = envelope as unknown as WebhookReceived;
  const stored = data.delivery as JsonObject;
  const subjects = sealedSubjectsOf(data);
  const held: SubjectHeld[] = [];
  const values: PersonalValue[] = [];
  const subjectKeys: Buffer[] = [];
  for (const subject of subjects) {
    const key = keys.keyById(subject.keyId);
    if (key === undefined) {
      held.push({
        ...subject,
        held: false,
        values: [],
        erasure: keys.erasureOf(subject.keyId) ?? 'key lost',
      });
      continue;
    }
    subjectKeys.push(key);
    try {
      const text = open(key, subject.values, valuesAad(eventId, subject.pseudonym, subject.keyId));
      const pairs = JSON.parse(text.toString('utf8')) as [string, JsonValue][];
      const own = pairs.map(([pointer, value]) => ({
        path: pathOf(pointer, received.payload),
        value,
      }));
      values.push(...own);
      held.push({ ...subject, held: true, values: own, erasure: null });
    } catch (error) {
      if (!(error instanceof SealBroken)) throw error;
      held.push({ ...subject, held: false, values: [], erasure: 'key lost' });
    }
  }
  const payload = mergePersonalData(received.payload, values);
  let body: string | null = null;
  if (subjectKeys.length === subjects.length && stored.bodyFrom === 'payload') {
    body = JSON.stringify(payload);
  } else if (subjectKeys.length === subjects.length) {
    const scope = tenantScope(received.provider, received.tenantId);
    try {
      body = inflateRawSync(
        open(
          bodyKey(subjects.length > 0 ? subjectKeys : [keys.tenantKey(scope)], eventId),
          typeof stored.sealedBody === 'string' ? stored.sealedBody : '',
          `${eventId} body`,
        ),
      ).toString('utf8');
    } catch (error) {
      if (!(error instanceof SealBroken)) throw error;
    }
  }
  const erasures = held.flatMap((s) =>
    s.erasure !== null && s.erasure !== 'key lost' ? [s.erasure.erasedAt] : [],
  );
  return {
    received: {
      ...received,
      payload,
      delivery: {
        contentType: (stored.contentType as string | null) ?? null,
        headers: (stored.headers as Record<string, string>) ?? {},
        body: body ?? '',
      },
    },
    bodyHeld: body !== null,
    subjects: held,
    erasedAt: erasures.length === 0 ? null : erasures.sort()[0]!,
  };
}

export function isSealed(data: JsonObject): boolean {
  const delivery = data.delivery;
  return (
    Array.isArray(data.subjects) &&
    delivery !== null &&
    typeof delivery === 'object' &&
    !Array.isArray(delivery) &&
    (typeof delivery.sealedBody === 'string' || delivery.bodyFrom === 'payload')
  );
}

/** The subjects a stored delivery names (none for schema 1): read in the clear, no key needed. */
export function sealedSubjectsOf(data: JsonObject): SealedSubject[] {
  const list = data.subjects;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: JsonValue) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return [];
    const { pseudonym, keyId, values } = item;
    return typeof pseudonym === 'string' && typeof keyId === 'string' && typeof values === 'string'
      ? [{ pseudonym, keyId, values }]
      : [];
  });
}

/**
 * Replaces each subject's email, wherever it appears in a text (any case), by
 * its token: the envelope's identifiers are derived from the payload, so they
 * can hold what the payload held.
 */
function redactor(subjects: SplitPayload['subjects']): (text: string) => string {
  const emails: [string, string][] = [];
  for (const subject of subjects) {
    for (const { path, value } of subject.values) {
      const field = path[path.length - 1];
      if (typeof value === 'string' && value.includes('@') && typeof field === 'string')
        emails.push([value.trim().toLowerCase(), fieldToken(subject.pseudonym, field)]);
    }
  }
  return (text) => {
    let result = text;
    for (const [email, token] of emails) {
      for (
        let at = result.toLowerCase().indexOf(email);
        at >= 0;
        at = result.toLowerCase().indexOf(email)
      ) {
        result = `${result.slice(0, at)}${token}${result.slice(at + email.length)}`;
      }
    }
    return result;
  };
}

/** RFC 6901 JSON Pointer: shorter than a path array, and the skeleton tells indices from keys. */
function pointerOf(path: readonly PathStep[]): string {
  return path.map((step) => `/${String(step).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function pathOf(pointer: string, skeleton: JsonValue): PathStep[] {
  const steps: PathStep[] = [];
  let node: JsonValue | undefined = skeleton;
  for (const raw of pointer.split('/').slice(1)) {
    const step = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(step)) {
      steps.push(Number(step));
      node = node[Number(step)];
    } else {
      steps.push(step);
      node =
        node !== null && typeof node === 'object' && !Array.isArray(node) ? node[step] : undefined;
    }
  }
  return steps;
}

function valuesAad(eventId: string, pseudonym: string, keyId: string): string {
  return `${eventId} ${pseudonym} ${keyId}`;
}
