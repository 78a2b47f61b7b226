/**
 * Consuming the client's reads so that every one of them ends.
 *
 * The client tracks each gRPC call until Node's `finished()` sees it end, and
 * `dispose()` waits for all of them (Client/index.js). A read left behind
 * early never ends when the server had already sent everything: cancelling a
 * call that has its status is a no-op, and a gRPC stream whose buffered
 * messages nobody reads never emits 'end'. Breaking out of `for await` is
 * exactly that (the iterator destroys the client's Transform, which unpipes
 * and pauses the gRPC stream). So reads are consumed in flowing mode: when we
 * stop early the call is cancelled (the server stops sending) and what was
 * already received keeps flowing and is dropped, so the stream reaches its end.
 */
import type { StreamingRead } from '@eventstore/db-client';

/**
 * Hands each item to `next` until it returns false or the read ends; resolves
 * true when the read ended by itself, false when `next` stopped it.
 */
export function readUntil<E>(read: StreamingRead<E>, next: (item: E) => boolean): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    let settled = false;
    const stop = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      settle();
    };
    // Kept for the stream's whole life: an error after we stopped must not go unhandled.
    read.on('error', (error) => stop(() => reject(error)));
    read.on('data', (item: E) => {
      if (settled) return;
      let more: boolean;
      try {
        more = next(item);
      } catch (error) {
        release(read);
        stop(() => reject(error instanceof Error ? error : new Error(String(error))));
        return;
      }
      if (!more) {
        release(read);
        stop(() => resolve(false));
      }
    });
    read.on('end', () => stop(() => resolve(true)));
    read.on('close', () => stop(() => reject(new Error('the read was closed before its end'))));
  });
}

/**
 * Cancels a read we no longer need, without waiting: cancelling awaits the
 * call's creation, which can take as long as a cluster discovery. Resuming
 * lets what was already received flow out, so the stream reaches its end.
 */
export function release<E>(read: StreamingRead<E>): void {
  read.on('error', () => undefined);
  void read.cancel().catch(() => undefined);
  read.resume();
}
