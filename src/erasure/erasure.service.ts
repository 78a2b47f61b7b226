/**
 * Erasure as the service does it: seals each delivery before it is appended,
 * opens stored deliveries for the audit, shows people again in API answers
 * while their keys are held, and performs erasure and access requests.
 *
 * Erasing is: record the request in the log (pseudonyms only), find every
 * delivery naming the subjects (a scan of the log: rare, admin-only), destroy
 * every key those deliveries name, and answer with what was erased.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  EVENT_STORE,
  NO_STREAM,
  type EventStore,
  type JsonObject,
  type JsonValue,
  type RecordedEvent,
} from '../event-store/event-store.port';
import { CLOCK, type Clock } from '../ledger/clock';
import {
  WEBHOOK_STREAM_PREFIX,
  type Provider,
  type WebhookReceived,
} from '../ledger/webhook-received';
import { anonymizeRequested, type PersonalValue } from './personal-data';
import { fieldToken, pseudonymOf, tenantScope, type Identity } from './pseudonyms';
import { revealTokens } from './reveal';
import {
  openDelivery,
  SEALED_EVENT_SCHEMA,
  sealDelivery,
  sealedSubjectsOf,
  type OpenedDelivery,
  type OpeningKeys,
} from './sealed-delivery';
import { newKey } from './sealing';
import { KEY_STORE_FILE, SubjectKeyStore } from './subject-key-store';

export const ERASURE_STREAM_PREFIX = 'subject-erasure-';
export const ERASURE_REQUESTED = 'subject-erasure-requested';
const PAGE = 500;

export type EraseRequest =
  | { readonly email: string }
  | { readonly provider: Provider; readonly participantId: string; readonly tenant?: string };

export interface ErasureAnswer {
  readonly requestId: string;
  readonly erasedAt: string;
  /** The pseudonyms the person keeps appearing under in totals and leaderboards. */
  readonly subjects: readonly string[];
  /** Deliveries whose personal part (theirs, and the raw body) is no longer readable. */
  readonly deliveries: readonly string[];
  readonly keysDestroyed: number;
}

export interface SubjectExport {
  readonly subjects: readonly {
    readonly pseudonym: string;
    readonly profile: Readonly<Record<string, string>>;
  }[];
  readonly deliveries: readonly {
    readonly eventId: string;
    readonly type: string;
    readonly receivedAt: string;
    readonly subject: string;
    /** The person's own fields in that delivery, by path (`data.referrer.email`). */
    readonly fields: Readonly<Record<string, JsonValue>>;
  }[];
}

/** A stored event as sealing leaves it, and the in-memory delivery the intake goes on with. */
export interface SealedForLog {
  readonly data: JsonObject;
  readonly schema: number;
  /** The delivery with the skeleton as its payload: what the log holds in the clear. */
  readonly event: WebhookReceived;
  readonly subjects: readonly string[];
}

/** Erasure is unavailable without a master key: nothing is sealed, nothing can be shredded. */
export class ErasureUnavailable extends Error {
  override readonly name = 'ErasureUnavailable';
  constructor() {
    super('erasure needs SUBJECT_MASTER_KEY: deliveries are stored unsealed without it');
  }
}

/** Opens nothing: a log read without the key store, every sealed part reads as not held. */
const NO_KEYS: OpeningKeys = {
  tenantKey: () => newKey(),
  keyById: () => undefined,
  erasureOf: () => undefined,
};

@Injectable()
export class Erasure implements OnApplicationShutdown {
  private readonly logger = new Logger('Erasure');
  /** Undefined without SUBJECT_MASTER_KEY. */
  readonly keys: SubjectKeyStore | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const master = config.erasure.masterKey;
    this.keys =
      master === undefined
        ? undefined
        : SubjectKeyStore.open({
            file: join(config.dataDir, KEY_STORE_FILE),
            masterKey: master.export(),
          });
    if (this.keys === undefined) {
      this.logger.warn(
        'SUBJECT_MASTER_KEY is not set: deliveries are stored unsealed and nobody can be erased (docs/erasure.md)',
      );
    }
  }

  onApplicationShutdown(): void {
    this.keys?.close();
  }

  /** The stored form of a delivery: sealed (schema 2) when a key store is configured. */
  seal(event: WebhookReceived, eventId: string): SealedForLog | undefined {
    if (this.keys === undefined) return undefined;
    const data = sealDelivery(event, eventId, this.keys);
    return {
      data,
      schema: SEALED_EVENT_SCHEMA,
      event: { ...event, payload: data.payload as JsonObject },
      subjects: sealedSubjectsOf(data).map((s) => s.pseudonym),
    };
  }

  open(event: RecordedEvent): OpenedDelivery {
    return openDelivery(event.data, event.id, this.keys ?? NO_KEYS);
  }

  /** An API answer with every token whose subject is still held shown as the field it stands for. */
  reveal<T>(value: T): T {
    const keys = this.keys;
    if (keys === undefined) return value;
    return revealTokens(value as JsonValue, (pseudonym) => keys.profileOf(pseudonym)) as T;
  }

  /** The tokens the read models hold for this email: a participant search, an unsubscribe check. */
  emailTokens(email: string): string[] {
    return (this.keys?.pseudonymsByEmail(email) ?? []).map((p) => fieldToken(p, 'email'));
  }

  /** The token a Talkable person's email becomes in one site (their participant id there). */
  talkableEmailToken(site: string | null, email: string): string | undefined {
    if (this.keys === undefined) return undefined;
    const key = this.keys.tenantKey(tenantScope('talkable', site));
    return fieldToken(pseudonymOf(key, { kind: 'email', value: email }), 'email');
  }

  /**
   * The ids a participant path may stand for: as given, and for a Talkable
   * email the token its participant is keyed by once sealed (its Talkable id).
   */
  participantIds(provider: string, tenant: string, id: string): string[] {
    if (provider !== 'talkable' || !id.includes('@')) return [id];
    const token = this.talkableEmailToken(tenant === '-' ? null : tenant, id.trim().toLowerCase());
    return token === undefined ? [id] : [token, id];
  }

  /** Wix deliveries sent by its anonymize flow erase the people they name, once recorded. */
  async eraseIfAnonymizeRequested(
    subjects: readonly string[],
    event: WebhookReceived,
    eventId: string,
  ): Promise<ErasureAnswer | undefined> {
    if (!anonymizeRequested(event.provider, event.payload) || subjects.length === 0)
      return undefined;
    return this.perform(subjects, { by: 'wix-anonymize', deliveryEventId: eventId });
  }

  async erase(request: EraseRequest): Promise<ErasureAnswer> {
    const keys = this.requireKeys();
    const pseudonyms = new Set<string>();
    if ('email' in request) {
      for (const p of keys.pseudonymsByEmail(request.email)) pseudonyms.add(p);
    } else {
      const scopes =
        request.tenant === undefined
          ? keys.scopes().filter((s) => s.startsWith(`${request.provider}:`))
          : [tenantScope(request.provider, request.tenant)];
      const identity = participantIdentity(request.provider, request.participantId);
      for (const scope of scopes) {
        pseudonyms.add(
          /^ps_[0-9a-f]{24}$/.test(request.participantId)
            ? request.participantId
            : pseudonymOf(keys.tenantKey(scope), identity),
        );
      }
      // The same person named elsewhere by email alone (the net for stray addresses).
      for (const p of [...pseudonyms]) {
        const email = keys.profileOf(p)?.email;
        if (email !== undefined) for (const q of keys.pseudonymsByEmail(email)) pseudonyms.add(q);
      }
    }
    return this.perform([...pseudonyms].sort(), {
      by: 'email' in request ? 'email' : 'participant',
    });
  }

  async exportByEmail(email: string): Promise<SubjectExport> {
    const keys = this.requireKeys();
    const wanted = new Set(keys.pseudonymsByEmail(email));
    const deliveries: SubjectExport['deliveries'][number][] = [];
    for await (const event of this.webhookEvents()) {
      const named = sealedSubjectsOf(event.data).filter((s) => wanted.has(s.pseudonym));
      if (named.length === 0) continue;
      const opened = this.open(event);
      for (const subject of opened.subjects) {
        if (!wanted.has(subject.pseudonym) || !subject.held) continue;
        deliveries.push({
          eventId: event.id,
          type: event.type,
          receivedAt: opened.received.receivedAt,
          subject: subject.pseudonym,
          fields: fieldsOf(subject.values),
        });
      }
    }
    return {
      subjects: [...wanted].map((pseudonym) => ({
        pseudonym,
        profile: keys.profileOf(pseudonym) ?? {},
      })),
      deliveries,
    };
  }

  private async perform(
    pseudonyms: readonly string[],
    cause: { readonly by: string; readonly deliveryEventId?: string },
  ): Promise<ErasureAnswer> {
    const keys = this.requireKeys();
    const requestId = randomUUID();
    const erasedAt = this.clock.now().toISOString();
    // The request is a fact of the log too, naming pseudonyms only: the log never learns the email.
    await this.store.append(
      `${ERASURE_STREAM_PREFIX}${requestId}`,
      [
        {
          id: requestId,
          type: ERASURE_REQUESTED,
          data: { requestId, requestedAt: erasedAt, subjects: [...pseudonyms], ...cause },
        },
      ],
      { expectedRevision: NO_STREAM },
    );
    const wanted = new Set(pseudonyms);
    const deliveries: string[] = [];
    const keyIds = new Set<string>();
    if (wanted.size > 0) {
      for await (const event of this.webhookEvents()) {
        const named = sealedSubjectsOf(event.data).filter((s) => wanted.has(s.pseudonym));
        if (named.length === 0) continue;
        deliveries.push(event.id);
        for (const subject of named) keyIds.add(subject.keyId);
      }
    }
    const { keysDestroyed } = keys.erase({
      requestId,
      erasedAt,
      pseudonyms,
      keyIds: [...keyIds],
    });
    this.logger.log(
      `erasure ${requestId} (${cause.by}): ${pseudonyms.length} subject(s), ${deliveries.length} delivery(ies), ${keysDestroyed} key(s) destroyed`,
    );
    return { requestId, erasedAt, subjects: pseudonyms, deliveries, keysDestroyed };
  }

  private async *webhookEvents(): AsyncGenerator<RecordedEvent> {
    let after: bigint | undefined;
    for (;;) {
      const page = await this.store.readAll({
        ...(after === undefined ? {} : { after }),
        maxCount: PAGE,
        filter: { streamPrefixes: [WEBHOOK_STREAM_PREFIX] },
      });
      yield* page.events;
      if (page.next === undefined) return;
      after = page.next;
    }
  }

  private requireKeys(): SubjectKeyStore {
    if (this.keys === undefined) throw new ErasureUnavailable();
    return this.keys;
  }
}

/** How a provider names a participant in a request: its id, Talkable's email, Wix's contact id. */
function participantIdentity(provider: Provider, participantId: string): Identity {
  if (provider === 'talkable') return { kind: 'email', value: participantId };
  if (provider === 'wix') return { kind: 'contact', value: participantId };
  return { kind: 'id', value: participantId };
}

function fieldsOf(values: readonly PersonalValue[]): Record<string, JsonValue> {
  const fields: Record<string, JsonValue> = {};
  for (const { path, value } of values) fields[path.join('.')] = value;
  return fields;
}
