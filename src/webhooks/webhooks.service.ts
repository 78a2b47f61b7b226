import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { Erasure } from '../erasure/erasure.service';
import { CLOCK, type Clock } from '../ledger/clock';
import { EventStoreUnavailable } from '../ledger/errors';
import type { Provider } from '../ledger/webhook-received';
import { ingestWebhook, type IngestOutcome, type SealDelivery } from './ingest-webhook';
import {
  checkUnsubscribeEmailOf,
  unsubscribeEmailOf,
} from '../providers/talkable/talkable-unsubscribe';
import { UNSUBSCRIBE_LOOKUP, type UnsubscribeIndex } from '../ledger/unsubscribe-lookup';
import { createWebhookIntakes, type WebhookIntakes } from './webhook-intakes';

export interface RawDelivery {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly params: Readonly<Record<string, string | undefined>>;
}

export interface WebhookAnswer {
  readonly status: IngestOutcome['status'];
  readonly eventId: string;
  /** Log position as a decimal string: pass it to queries for read-your-writes. */
  readonly position: string;
  readonly understood: boolean;
  readonly message: string;
  readonly unsubscribed?: boolean;
}

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger('Webhooks');
  private readonly intakes: WebhookIntakes;
  /** LOG_LEVEL is read once: at any other level the per-delivery line is not even built. */
  private readonly traceDeliveries: boolean;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(UNSUBSCRIBE_LOOKUP) private readonly unsubscribes: UnsubscribeIndex,
    // Optional so that a service built by hand (specs) records unsealed, as without a master key.
    @Optional() private readonly erasure?: Erasure,
  ) {
    this.intakes = createWebhookIntakes(config.webhooks);
    this.seal = erasure?.keys === undefined ? undefined : (event, id) => erasure.seal(event, id);
    this.traceDeliveries = config.logLevel === 'debug';
  }

  private readonly seal: SealDelivery | undefined;

  async receive(provider: Provider, delivery: RawDelivery): Promise<WebhookAnswer> {
    const outcome = await ingestWebhook(
      this.store,
      this.intakes[provider],
      {
        rawBody: delivery.body,
        headers: flattenHeaders(delivery.headers),
        params: delivery.params,
        receivedAt: this.clock.now(),
      },
      this.seal,
    );
    const { event } = outcome;
    if (this.erasure !== undefined && outcome.subjects.length > 0) {
      // Wix's anonymize flow: recorded first (a fact like any other), then the people it names are forgotten.
      await this.erasure.eraseIfAnonymizeRequested(outcome.subjects, event, outcome.eventId);
    }
    if (this.traceDeliveries)
      this.logger.debug(
        `${outcome.status} ${event.provider}/${event.providerEventType} ${outcome.eventId} at ${outcome.position}`,
      );
    const answer: WebhookAnswer = {
      status: outcome.status,
      eventId: outcome.eventId,
      position: outcome.position.toString(),
      understood: event.understood,
      message: describe(outcome),
    };
    const unsubscribedEmail = unsubscribeEmailOf(event);
    if (unsubscribedEmail !== null) {
      // Before the 2xx, also for a duplicate: a retry after a lost marker writes it.
      await this.unsubscribes
        .noteUnsubscribe(event.tenantId, unsubscribedEmail, outcome)
        .catch(unanswered('the unsubscribe was recorded but is not answerable yet; retry later'));
      return answer;
    }
    const checkedEmail = checkUnsubscribeEmailOf(event);
    if (checkedEmail === null) return answer;
    // Asked after the check itself is stored: exact up to the check's own position.
    const unsubscribed = await this.unsubscribes
      .isUnsubscribed(event.tenantId, checkedEmail, outcome.position)
      .catch(unanswered('the check was recorded but could not be answered; retry later'));
    return { ...answer, unsubscribed };
  }
}

/**
 * The delivery is in the log but its answer is not complete: not acknowledged,
 * so the provider retries, and the retry (a duplicate) completes it.
 */
function unanswered(detail: string): (error: unknown) => never {
  return (error) => {
    throw new EventStoreUnavailable(detail, error);
  };
}

function describe({ status, event }: IngestOutcome): string {
  if (status === 'duplicate') return 'duplicate delivery: already recorded, counted once';
  return event.understood ? 'recorded' : 'recorded; this event type is not understood yet';
}

const UPPER_CASE = /[A-Z]/;

/**
 * Names lower-cased, repeated headers joined with ", ". Node's parser already
 * gives lower-case names and one string per header (only set-cookie comes as
 * a list), so such headers are handed on as they are, uncopied.
 */
function flattenHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Readonly<Record<string, string | undefined>> {
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if ((value !== undefined && typeof value !== 'string') || UPPER_CASE.test(name))
      return flattenedCopy(headers);
  }
  return headers as Readonly<Record<string, string | undefined>>;
}

function flattenedCopy(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
