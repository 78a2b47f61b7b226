/**
 * What every provider module offers the ingest path: verify the raw bytes,
 * then parse, then describe the delivery as one `WebhookReceived` fact.
 * Pure apart from crypto: no I/O, time comes from the request.
 */
import type { WebhookReceived } from '../ledger/webhook-received';

export interface InboundRequest {
  readonly rawBody: Buffer;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Path parameters (`token` for Refir, `source` for Standard Webhooks). */
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly receivedAt: Date;
}

/** Throws a `WebhookRejection` for anything that must not be recorded. */
export type AcceptDelivery = (request: InboundRequest) => WebhookReceived;
