/**
 * Our one vocabulary of refusals. Every answer that is not a success is one of
 * these, thrown wherever the refusal is found (a provider's verifier, a query
 * parser, the read-model engine, the API-key guard); src/http/problem-details.filter.ts
 * is the one place that turns them into problem+json (RFC 9457). Nothing here
 * knows Nest or Fastify.
 */

/** Extension members: any name but the ones every answer carries. */
export type ProblemMembers = Readonly<Record<string, unknown>> & {
  readonly type?: never;
  readonly title?: never;
  readonly status?: never;
  readonly detail?: never;
  readonly requestId?: never;
};

/** What a refusal may carry besides its status, title and detail. */
export interface ProblemOptions {
  /** Sent as Retry-After: the refusal is temporary and the client should come back. */
  readonly retryAfterSeconds?: number;
  /** Extension members of the problem+json body, after title, status and detail (which they never replace). */
  readonly members?: ProblemMembers;
  readonly cause?: unknown;
}

/** A refusal with its HTTP status and the words the client is shown. */
export abstract class ProblemError extends Error {
  override readonly name: string = 'ProblemError';
  readonly retryAfterSeconds: number | undefined;
  readonly members: ProblemMembers | undefined;

  constructor(
    readonly status: number,
    readonly title: string,
    /** Shown to the client as is: never anything the request carried that may be a secret. */
    readonly detail: string,
    options: ProblemOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.members = options.members;
  }
}

/** A parameter, path segment or body that the route does not take. */
export class InvalidRequest extends ProblemError {
  override readonly name: string = 'InvalidRequest';
  constructor(detail: string) {
    super(400, 'Bad Request', detail);
  }
}

/** A path segment longer than the router takes (Refir's token is the longest we route). */
export class PathSegmentTooLong extends ProblemError {
  override readonly name = 'PathSegmentTooLong';
  constructor(maxLength: number) {
    super(414, 'URI Too Long', `a path segment is longer than ${maxLength} characters`);
  }
}

export class NotFound extends ProblemError {
  override readonly name = 'NotFound';
  constructor(detail: string) {
    super(404, 'Not Found', detail);
  }
}

/** No API key, or one that is not configured. */
export class Unauthorized extends ProblemError {
  override readonly name = 'Unauthorized';
  constructor(detail: string) {
    super(401, 'Unauthorized', detail);
  }
}

/** A configured key without the scope the route needs. */
export class Forbidden extends ProblemError {
  override readonly name = 'Forbidden';
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

/** A rebuild was asked for while one runs: one at a time. */
export class RebuildInProgress extends ProblemError {
  override readonly name = 'RebuildInProgress';
  constructor(readonly fileName: string) {
    super(409, 'Conflict', `a rebuild into ${fileName} is already running`);
  }
}

export class UnknownProjection extends InvalidRequest {
  override readonly name = 'UnknownProjection';
  constructor(unknown: readonly string[], known: readonly string[]) {
    super(
      `${unknown.length > 0 ? `no projection named ${unknown.join(', ')}` : 'no projection named'}; the projections are ${known.join(', ')}`,
    );
  }
}

/** Queries while the read models cannot be opened: retry later. */
export class ReadModelsUnavailable extends ProblemError {
  override readonly name = 'ReadModelsUnavailable';
  constructor(reason: string | undefined) {
    super(
      503,
      'Service Unavailable',
      `the read models are not open${reason === undefined ? '' : ` (${reason})`}; retry later`,
      { retryAfterSeconds: 1 },
    );
  }
}

/**
 * The event store did not take or answer what was asked (unreachable, a full
 * disk, closed during shutdown). A delivery is then not acknowledged, so the
 * provider retries; a read of the log is answered "retry later".
 */
export class EventStoreUnavailable extends ProblemError {
  override readonly name = 'EventStoreUnavailable';
  constructor(detail: string, cause: unknown) {
    super(503, 'Event store unavailable', detail, { retryAfterSeconds: 5, cause });
  }
}

/** Read-your-writes: the read models have not reached the position the client asked for in time. */
export class PositionNotReached extends ProblemError {
  override readonly name = 'PositionNotReached';
  constructor(position: string, waitMs: number) {
    super(
      503,
      'Service Unavailable',
      `the read models have not reached log position ${position} within ${waitMs} ms; retry`,
      { retryAfterSeconds: 1 },
    );
  }
}

/** Why a delivery was refused, as the provider sees it. Nothing is recorded for a rejected delivery. */
export type RejectionStatus = 400 | 401 | 413 | 415 | 503;

export class WebhookRejection extends ProblemError {
  override readonly name: string = 'WebhookRejection';
  constructor(
    override readonly status: RejectionStatus,
    title: string,
    detail: string,
    options?: ProblemOptions,
  ) {
    super(status, title, detail, options);
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
    { retryAfterSeconds: 60 },
  );

/**
 * The store can never take this delivery (the stored event holds the raw body
 * and the parsed payload, about twice the body): a permanent 413, never a 503
 * that would have the provider retry it forever.
 */
export class DeliveryTooLarge extends WebhookRejection {
  override readonly name = 'DeliveryTooLarge';
  constructor(maxAppendSize: number, cause: unknown) {
    super(
      413,
      'Payload too large',
      `the delivery is too large for the event store (its limit is ${maxAppendSize} bytes for the stored event, which holds the body about twice); it was not recorded and will not be on a retry`,
      { cause },
    );
  }
}
