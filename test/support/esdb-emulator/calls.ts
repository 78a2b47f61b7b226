/**
 * The calls the emulator has open, and the faults it is told to inject.
 * Every handler registers its call here so that a test can see streams a
 * client never released, and a fault can end them.
 */
import type { ServiceError } from '@grpc/grpc-js';

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
