/**
 * The writes of a generation being built, on a worker thread of their own
 * (building-writer.worker.ts): the event loop folds the next batches while
 * SQLite inserts the previous ones, so a rebuild uses both cores. Measured at
 * 200k deliveries, the inserts were ~40% of a rebuild's time on one thread.
 *
 * The calls stay synchronous for the runner: `write` hands a serialized batch
 * over and returns; what the worker has handled and committed is read from
 * shared memory, and a failure of the worker is thrown by the next call, as a
 * failed commit would have been. Documents handed over but not yet committed
 * are kept here (`pending`), so that the fold never reads a stale body from
 * the file meanwhile.
 */
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { spawnWorker } from '../../threads/spawn-worker';
import type { DocumentBody } from '../../projections/projection';

/** Slots of the shared counters, as the worker writes them. */
const HANDLED = 0;
const COMMITTED = 1;
const FAILED = 2;

/**
 * Batches per worker transaction. A commit there no longer holds the event
 * loop, so it spans more than the inline path's; documents stay in `pending`
 * until it commits.
 */
const BATCHES_PER_TRANSACTION = 50;
/**
 * How many batches the fold may run ahead of the worker before `write` waits
 * for it: bounds the memory of the queue and of `pending`.
 */
const MAX_AHEAD = 20;
/** A worker that stops answering for this long is taken as dead: the call fails instead of hanging. */
const STALL_MS = 120_000;

/**
 * A batch as the writer thread reads it: every column of every row, in
 * insert order (documents, ledger entries, errors, not understood, checkpoints),
 * as text or null. Integer columns are given as decimal text: their INTEGER
 * affinity stores them as integers all the same.
 */
export interface SerializedBatch {
  /** The fields, one after the other. */
  readonly text: string;
  /** Per field its length in `text` (UTF-16 code units); -1 for null. */
  readonly lengths: readonly number[];
  /** Rows of each table, in the order above. */
  readonly counts: readonly [number, number, number, number, number];
}

const encoder = new TextEncoder();

/**
 * Batches travel through shared memory, not in messages: the text encoded
 * straight into `TEXT_BYTES` of it, the lengths copied into `LENGTH_SLOTS`,
 * and the message says where. Measured with a batch of 250 KB: a
 * transferred buffer cost ~720 us per batch to encode and post, a cloned
 * string ~380 us, encoding into shared memory ~120 us (a rebuild of 50k
 * deliveries spent ~1 s of its event loop in postMessage before).
 */
const TEXT_BYTES = 32 * 1024 * 1024;
const LENGTH_SLOTS = 2 * 1024 * 1024;
/** Batches larger than this (one huge document) are sent in their message instead. */
const LARGEST_SHARED_TEXT = TEXT_BYTES / 4;

/** Where a batch handed over lies in the shared buffers, until the worker has handled it. */
interface InFlight {
  readonly seq: number;
  readonly textStart: number;
  readonly textEnd: number;
  readonly lengthsStart: number;
  readonly lengthsEnd: number;
}

/** Collects fields into one string and their lengths (in UTF-16 code units, as the worker slices them). */
export class PackedFields {
  private readonly parts: string[] = [];
  private readonly lengths: number[] = [];

  add(...fields: readonly (string | null)[]): void {
    for (const field of fields) {
      if (field === null) {
        this.lengths.push(-1);
      } else {
        this.parts.push(field);
        this.lengths.push(field.length);
      }
    }
  }

  pack(): Pick<SerializedBatch, 'text' | 'lengths'> {
    return { text: this.parts.join(''), lengths: this.lengths };
  }
}

export class BuildingWriter {
  private readonly worker: Worker;
  private readonly shared = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  private readonly errors: MessageChannel;
  private readonly busy = new Float64Array(new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT));
  private waitedMs = 0;
  private sent = 0;
  /** Bodies handed over and not yet committed, with the batch that last wrote each. */
  private readonly pending = new Map<
    string,
    { readonly body: DocumentBody; readonly seq: number }
  >();
  /** Per batch not known committed: the ids it wrote, oldest first. */
  private readonly uncommitted: { readonly seq: number; readonly ids: readonly string[] }[] = [];
  private closed = false;
  /** The last batch handed over. */
  private lastBatch = 0;
  private readonly text = new Uint8Array(new SharedArrayBuffer(TEXT_BYTES));
  private readonly lengths = new Int32Array(
    new SharedArrayBuffer(LENGTH_SLOTS * Int32Array.BYTES_PER_ELEMENT),
  );
  private textAt = 0;
  private lengthsAt = 0;
  private readonly inFlight: InFlight[] = [];
  private failed: string | undefined;

  constructor(file: string) {
    this.errors = new MessageChannel();
    this.worker = spawnWorker(join(__dirname, 'building-writer.worker'), {
      workerData: {
        file,
        shared: this.shared.buffer,
        text: this.text.buffer,
        lengths: this.lengths.buffer,
        busy: this.busy.buffer,
        errors: this.errors.port2,
        batchesPerTransaction: BATCHES_PER_TRANSACTION,
      },
      transferList: [this.errors.port2],
    });
    // Never keeps the process alive: `close` ends it, and a crash surfaces on the next call.
    this.worker.unref();
    this.errors.port1.unref();
  }

  /** Milliseconds the writer thread spent writing, and this thread waiting for it. */
  get timings(): { readonly writingMs: number; readonly waitingMs: number } {
    return { writingMs: this.busy[0] ?? 0, waitingMs: this.waitedMs };
  }

  /** The body last handed over for `id` that the file may not hold yet. */
  pendingBody(id: string): DocumentBody | undefined {
    return this.pending.get(id)?.body;
  }

  /** Hands a batch over; throws what made an earlier batch fail, so the runner folds again. */
  write(batch: SerializedBatch, written: ReadonlyMap<string, DocumentBody>): void {
    this.throwIfFailed();
    this.forgetCommitted();
    if (this.sent - Atomics.load(this.shared, HANDLED) >= MAX_AHEAD) {
      this.waitFor(this.sent - MAX_AHEAD + 1);
      this.throwIfFailed();
    }
    const seq = this.post(this.place(batch));
    this.lastBatch = seq;
    for (const [id, body] of written) this.pending.set(id, { body, seq });
    this.uncommitted.push({ seq, ids: [...written.keys()] });
  }

  /** Commits everything handed over; throws when that, or an earlier batch, failed. */
  settle(): void {
    this.throwIfFailed();
    // Everything handed over is committed (a fresh file: nothing yet): no need to wait for the
    // thread, which may still be starting (measured: ~0.6 s holding the event loop when a
    // rebuild opened its generation under load).
    if (Atomics.load(this.shared, COMMITTED) >= this.lastBatch) return;
    this.waitFor(this.post({ kind: 'commit' }));
    this.throwIfFailed();
    this.forgetCommitted();
  }

  /** Drops what was handed over since the last commit (after a failure), and the failure. */
  discard(): void {
    if (this.closed) return;
    this.waitFor(this.post({ kind: 'discard' }));
    while (receiveMessageOnPort(this.errors.port1) !== undefined);
    this.failed = undefined;
    this.pending.clear();
    this.uncommitted.length = 0;
  }

  /**
   * Commits what is left and ends the thread. A failure is not thrown here:
   * the file's checkpoints then stand before the batches it lost, and whoever
   * opens the file next folds them again.
   */
  close(): string | undefined {
    if (this.closed) return undefined;
    this.waitFor(this.post({ kind: 'close' }));
    this.closed = true;
    const failure = this.failure();
    void this.worker.terminate();
    this.errors.port1.close();
    return failure;
  }

  private post(message: { readonly kind: string }): number {
    if (this.closed) throw new Error('the read-model writer is closed');
    this.sent += 1;
    this.worker.postMessage({ ...message, seq: this.sent });
    return this.sent;
  }

  /**
   * Writes the batch into the shared buffers (after the worker has handled
   * whatever lay where it goes) and returns the message that says where.
   */
  private place(batch: SerializedBatch): { readonly kind: 'batch' } & Record<string, unknown> {
    const seq = this.sent + 1;
    const maxBytes = batch.text.length * 3;
    if (maxBytes > LARGEST_SHARED_TEXT || batch.lengths.length > LENGTH_SLOTS / 4) {
      return { kind: 'batch', inline: batch.text, lengths: batch.lengths, counts: batch.counts };
    }
    if (this.textAt + maxBytes > TEXT_BYTES) this.textAt = 0;
    if (this.lengthsAt + batch.lengths.length > LENGTH_SLOTS) this.lengthsAt = 0;
    const textStart = this.textAt;
    const lengthsStart = this.lengthsAt;
    this.waitUntilFree(
      textStart,
      textStart + maxBytes,
      lengthsStart,
      lengthsStart + batch.lengths.length,
    );
    const { written } = encoder.encodeInto(
      batch.text,
      this.text.subarray(textStart, textStart + maxBytes),
    );
    this.lengths.set(batch.lengths, lengthsStart);
    this.textAt = textStart + written;
    this.lengthsAt = lengthsStart + batch.lengths.length;
    this.inFlight.push({
      seq,
      textStart,
      textEnd: this.textAt,
      lengthsStart,
      lengthsEnd: this.lengthsAt,
    });
    return {
      kind: 'batch',
      textStart,
      textBytes: written,
      lengthsStart,
      fields: batch.lengths.length,
      counts: batch.counts,
    };
  }

  /** Waits for the worker to have handled every batch lying in these ranges of the shared buffers. */
  private waitUntilFree(
    textStart: number,
    textEnd: number,
    lengthsStart: number,
    lengthsEnd: number,
  ): void {
    const handled = Atomics.load(this.shared, HANDLED);
    while (this.inFlight.length > 0 && (this.inFlight[0]?.seq ?? Infinity) <= handled) {
      this.inFlight.shift();
    }
    // The worker handles batches in order: waiting for the newest one in the way is enough.
    let last: number | undefined;
    for (const batch of this.inFlight) {
      if (
        (batch.textStart < textEnd && batch.textEnd > textStart) ||
        (batch.lengthsStart < lengthsEnd && batch.lengthsEnd > lengthsStart)
      ) {
        last = batch.seq;
      }
    }
    if (last !== undefined) this.waitFor(last);
  }

  /** Blocks until the worker has handled message `seq`. */
  private waitFor(seq: number): void {
    const started = performance.now();
    const deadline = Date.now() + STALL_MS;
    for (;;) {
      const handled = Atomics.load(this.shared, HANDLED);
      if (handled >= seq) {
        this.waitedMs += performance.now() - started;
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`the read-model writer did not answer within ${STALL_MS / 1000} s`);
      }
      Atomics.wait(this.shared, HANDLED, handled, 1_000);
    }
  }

  /** Kept until `discard`: every call until then fails the same way. */
  private failure(): string | undefined {
    if (this.failed === undefined && Atomics.load(this.shared, FAILED) !== 0) {
      const message = receiveMessageOnPort(this.errors.port1)?.message as unknown;
      this.failed = typeof message === 'string' ? message : 'the read-model writer failed';
    }
    return this.failed;
  }

  private throwIfFailed(): void {
    const failure = this.failure();
    if (failure !== undefined) throw new Error(failure);
  }

  /** Bodies the file now holds need no longer be kept here. */
  private forgetCommitted(): void {
    const committed = Atomics.load(this.shared, COMMITTED);
    while (this.uncommitted.length > 0 && (this.uncommitted[0]?.seq ?? Infinity) <= committed) {
      const { seq, ids } = this.uncommitted.shift() as { seq: number; ids: readonly string[] };
      for (const id of ids) if (this.pending.get(id)?.seq === seq) this.pending.delete(id);
    }
  }
}
