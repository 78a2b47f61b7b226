/**
 * The calls the emulator has open, and the faults it is told to inject.
 * Every handler registers its call here so that a test can see streams a
 * client never released, and a fault can end them.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export type CallKind = 'read' | 'subscription' | 'append' | 'batch-append' | 'unary';

export interface OpenCall {
  readonly kind: CallKind;
  /** Ends the call with this error; nothing is sent on it afterwards. */
  fail(error: ServiceError): void;
}

export class CallRegistry {
  private readonly calls = new Set<OpenCall>();

  get size(): number {
    return this.calls.size;
  }

  /** Registers a call until `release()` (idempotent) is called. */
  open(call: OpenCall): () => void {
    this.calls.add(call);
    return () => this.calls.delete(call);
  }

  /** Set iteration follows insertion, so the first subscription found is the oldest. */
  oldest(kind: CallKind): OpenCall | undefined {
    for (const call of this.calls) if (call.kind === kind) return call;
    return undefined;
  }

  failAll(error: ServiceError): void {
    for (const call of [...this.calls]) call.fail(error);
  }
}

export class FaultSwitches {
  delayMs = 0;
  notLeader = false;
  failDiscovery = false;
  failAppends = false;

  /** Waits the configured reply delay (none when off). */
  async delay(): Promise<void> {
    if (this.delayMs <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
  }
}

/**
 * Writes one message with the stream's backpressure, as the server's HTTP/2
 * flow control would: resolves false once the call is over.
 */
export async function writeWithBackpressure(
  call: Writable,
  message: unknown,
  isOver: () => boolean,
): Promise<boolean> {
  if (isOver() || call.writableEnded || call.destroyed) return false;
  if (call.write(message)) return true;
  const ended = new AbortController();
  try {
    await Promise.race([
      once(call, 'drain', { signal: ended.signal }),
      once(call, 'close', { signal: ended.signal }),
      once(call, 'cancelled', { signal: ended.signal }),
    ]);
  } catch {
    return false;
  } finally {
    ended.abort();
  }
  return !isOver();
}
