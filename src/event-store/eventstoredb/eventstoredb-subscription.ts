/**
 * A catch-up subscription to $all that survives dropped connections: after a
 * transient error (or the server ending the stream) it subscribes again from
 * the last event it saw, after a bounded, growing delay. The server's
 * `fromPosition` is exclusive for subscriptions; the position check on each
 * event makes the no-duplicate guarantee independent of that detail.
 */
import type { Filter, ReadPosition, ResolvedEvent } from '@eventstore/db-client';
import { START } from '@eventstore/db-client';
import { Observable } from 'rxjs';
import { StoreUnavailableError } from '../event-store.errors';
import type { RecordedEvent, SubscribeToAllOptions } from '../event-store.port';
import { isUnavailable, translateError } from './eventstoredb-errors';
import {
  matchesFilter,
  toEsdbPosition,
  toRecordedEvent,
  toServerFilter,
} from './eventstoredb-mapping';

/** The slice of the client's `AllStreamSubscription` this module relies on. */
export interface AllSubscription {
  on(event: 'data', listener: (resolved: ResolvedEvent) => void): unknown;
  on(event: 'confirmation' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  unsubscribe(): Promise<void>;
  destroy(): unknown;
}

export type SubscribeToAllSource = (options: {
  readonly fromPosition: ReadPosition;
  readonly filter: Filter;
}) => AllSubscription;

export interface ResubscribePolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Consecutive failed attempts (no confirmation in between) before the error reaches the subscriber. */
  readonly maxAttempts: number;
}

/**
 * A dropped connection is bridged silently for well under a second (a leader
 * change, a blip); a longer outage reaches the subscriber, whose own retry
 * then shows in its status (the projection runner reports `retrying` and
 * retries for as long as it takes) instead of a subscription that looks alive.
 */
export const DEFAULT_RESUBSCRIBE_POLICY: ResubscribePolicy = {
  initialDelayMs: 100,
  maxDelayMs: 400,
  maxAttempts: 3,
};

/** Delay before attempt `failures` (1-based): doubles from the initial delay, capped. */
export function resubscribeDelay(failures: number, policy: ResubscribePolicy): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

export function followAll(
  subscribe: SubscribeToAllSource,
  options: SubscribeToAllOptions,
  policy: ResubscribePolicy = DEFAULT_RESUBSCRIBE_POLICY,
): Observable<RecordedEvent> {
  return new Observable<RecordedEvent>((subscriber) => {
    const filter = toServerFilter(options.filter);
    let checkpoint = options.after;
    let failures = 0;
    let current: AllSubscription | undefined;
    let retry: NodeJS.Timeout | undefined;
    let stopped = false;

    const release = (subscription: AllSubscription): void => {
      const destroy = (): unknown => subscription.destroy();
      void subscription.unsubscribe().then(destroy, destroy);
    };

    const dropped = (subscription: AllSubscription, error: unknown): void => {
      if (stopped || current !== subscription) return;
      current = undefined;
      release(subscription);
      if (error !== undefined && !isUnavailable(error)) {
        subscriber.error(translateError(error));
        return;
      }
      failures += 1;
      if (failures > policy.maxAttempts) {
        subscriber.error(
          new StoreUnavailableError(
            `EventStoreDB subscription to $all dropped ${policy.maxAttempts} times in a row`,
            { cause: error },
          ),
        );
        return;
      }
      retry = setTimeout(open, resubscribeDelay(failures, policy));
    };

    const open = (): void => {
      retry = undefined;
      if (stopped) return;
      let subscription: AllSubscription;
      try {
        subscription = subscribe({
          fromPosition: checkpoint === undefined ? START : toEsdbPosition(checkpoint),
          filter,
        });
      } catch (error) {
        subscriber.error(translateError(error));
        return;
      }
      current = subscription;
      subscription.on('confirmation', () => {
        if (current === subscription) failures = 0;
      });
      subscription.on('data', (resolved) => {
        if (stopped || current !== subscription) return;
        const event = toRecordedEvent(resolved);
        if (event === undefined) return;
        if (checkpoint !== undefined && event.position <= checkpoint) return;
        checkpoint = event.position;
        if (matchesFilter(event, options.filter)) subscriber.next(event);
      });
      // Kept for the stream's whole life: a late second 'error' must not go unhandled.
      subscription.on('error', (error) => dropped(subscription, error));
      subscription.on('end', () => dropped(subscription, undefined));
    };

    open();
    return () => {
      stopped = true;
      if (retry !== undefined) clearTimeout(retry);
      if (current !== undefined) release(current);
      current = undefined;
    };
  });
}
