/**
 * Catch-up subscription to the embedded log as a pull loop: read pages after
 * the last delivered position until a page comes back short, then wait for the
 * next commit and pull again. Positions are assigned by the single writer in
 * commit order, so a read never sees a later position without every earlier
 * one: reading "after the last delivered position" can neither skip nor repeat.
 */
import { Observable } from 'rxjs';
import { StoreUsageError } from '../event-store.errors';
import type { ReadAllOptions, RecordedEvent, SubscribeToAllOptions } from '../event-store.port';

export interface LogReader {
  readonly isClosed: () => boolean;
  /** Emits after each commit; completes when the store closes. */
  readonly committed: Observable<void>;
  /** Position of the last event, 0n while the log is empty. */
  readonly head: () => bigint;
  readonly page: (options: ReadAllOptions) => readonly RecordedEvent[];
}

const PAGE_SIZE = 500;
/** Events handed over before the pull loop gives the event loop a turn. */
const YIELD_EVERY = 100;

export function subscribeToLog(
  log: LogReader,
  options: SubscribeToAllOptions,
): Observable<RecordedEvent> {
  return new Observable<RecordedEvent>((subscriber) => {
    if (log.isClosed()) {
      subscriber.error(new StoreUsageError('the event store is closed'));
      return undefined;
    }
    let checkpoint = options.after ?? 0n;
    let wake: (() => void) | undefined;
    let stopped = false;
    const notifications = log.committed.subscribe({
      next: () => wake?.(),
      complete: () => {
        stopped = true;
        wake?.();
      },
    });
    const active = (): boolean => !stopped && !subscriber.closed && !log.isClosed();

    const pull = async (): Promise<void> => {
      while (active()) {
        // Read the head first: the page that follows sees at least as much.
        const head = log.head();
        const events = log.page({ after: checkpoint, maxCount: PAGE_SIZE, filter: options.filter });
        for (const [index, event] of events.entries()) {
          if (subscriber.closed) return;
          subscriber.next(event);
          checkpoint = event.position;
          // A subscriber that folds as it receives (a rebuild) lets HTTP requests in between.
          if ((index + 1) % YIELD_EVERY === 0 && index + 1 < events.length) {
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
        if (events.length === PAGE_SIZE) {
          // Let HTTP requests and commits run between pages of a long catch-up.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        // Everything up to the head was scanned, matching the filter or not.
        if (head > checkpoint) checkpoint = head;
        // Set synchronously after the read: no commit notice can fall in between.
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      subscriber.complete();
    };
    pull().catch((error: unknown) => subscriber.error(error));

    return () => {
      stopped = true;
      notifications.unsubscribe();
      wake?.();
    };
  });
}
