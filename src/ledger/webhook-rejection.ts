/**
 * Why a delivery was refused. Each carries the HTTP status the provider sees and
 * a problem+json body (RFC 9457). Nothing is recorded for a rejected delivery.
 */
export type RejectionStatus = 400 | 401 | 404 | 413 | 415 | 503;

export class WebhookRejection extends Error {
  override readonly name = 'WebhookRejection';
  constructor(
    readonly status: RejectionStatus,
    readonly title: string,
    readonly detail: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(`${title}: ${detail}`);
  }
}

export const rejectBadSignature = (detail: string): WebhookRejection =>
  new WebhookRejection(401, 'Invalid signature', detail);

export const rejectMalformed = (detail: string): WebhookRejection =>
  new WebhookRejection(400, 'Malformed delivery', detail);

export const rejectContentType = (detail: string): WebhookRejection =>
  new WebhookRejection(415, 'Unsupported content type', detail);

export const rejectTooLarge = (limitBytes: number): WebhookRejection =>
  new WebhookRejection(
    413,
    'Payload too large',
    `the body exceeds the limit of ${limitBytes} bytes`,
  );

/** The provider is not configured: answer 503 so that it retries once it is. */
export const rejectNotConfigured = (whatToSet: string): WebhookRejection =>
  new WebhookRejection(
    503,
    'Provider not configured',
    `set ${whatToSet} to accept these deliveries`,
    60,
  );
