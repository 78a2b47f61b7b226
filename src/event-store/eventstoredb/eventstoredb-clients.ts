/**
 * The adapter's client, and the one way to get rid of a client that is stuck.
 *
 * Client 6.2.1 caches its server-features promise (`Client/index.js`,
 * `capabilities`) and every append awaits it. It is reset only when a call
 * fails with UNAVAILABLE, CANCELLED or NotLeader (`handleError`). A failure
 * raised before any call exists, above all a cluster discovery that failed
 * (`discoverEndpoint` throws a plain Error), stays cached: every later append
 * fails, although reads and ping recover. The only way out is a new client,
 * so after such a failure the next operations get a fresh one. The old client
 * is disposed once the reads and appends it carries have ended (disposing
 * cancels its calls, and a cancelled read looks like a short one); its live
 * subscriptions then end and re-subscribe from their checkpoint on the new one.
 */
import type { EventStoreDBClient } from '@eventstore/db-client';

export interface ClientSource {
  readonly initial: EventStoreDBClient;
  /** Makes a fresh client; absent where the client cannot be replaced (a test's fake). */
  readonly reconnect?: () => EventStoreDBClient;
  /** Least time between two replacements, so an outage cannot churn clients. */
  readonly replaceAfterMs: number;
}

export class EventStoreDbClients {
  private client: EventStoreDBClient;
  private readonly inFlight = new Map<EventStoreDBClient, number>();
  private readonly retired = new Set<EventStoreDBClient>();
  private readonly disposing = new Set<Promise<void>>();
  private replacedAt = -Infinity;

  constructor(private readonly source: ClientSource) {
    this.client = source.initial;
  }

  /** The client new subscriptions use. */
  get current(): EventStoreDBClient {
    return this.client;
  }

  /** Runs one call on the current client; the client is not disposed while it runs. */
  async run<T>(work: (client: EventStoreDBClient) => Promise<T>): Promise<T> {
    const client = this.client;
    this.inFlight.set(client, (this.inFlight.get(client) ?? 0) + 1);
    try {
      return await work(client);
    } finally {
      const left = (this.inFlight.get(client) ?? 1) - 1;
      if (left > 0) this.inFlight.set(client, left);
      else {
        this.inFlight.delete(client);
        if (this.retired.has(client)) this.dispose(client);
      }
    }
  }

  /** Replaces `failed` if it is still current; whether a fresh client is in place now. */
  replace(failed: EventStoreDBClient): boolean {
    const { reconnect, replaceAfterMs } = this.source;
    if (reconnect === undefined || failed !== this.client) return false;
    if (Date.now() - this.replacedAt < replaceAfterMs) return false;
    this.replacedAt = Date.now();
    this.client = reconnect();
    this.retired.add(failed);
    if (!this.inFlight.has(failed)) this.dispose(failed);
    return true;
  }

  /** Disposes every client; resolves after `timeoutMs` at the latest. */
  async close(timeoutMs: number): Promise<void> {
    for (const client of [...this.retired, this.client]) this.dispose(client);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([Promise.allSettled([...this.disposing]), bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  private dispose(client: EventStoreDBClient): void {
    this.retired.delete(client);
    const disposed = client.dispose().catch(() => undefined);
    this.disposing.add(disposed);
    void disposed.then(() => this.disposing.delete(disposed));
  }
}
