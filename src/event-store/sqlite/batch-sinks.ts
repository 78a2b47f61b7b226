/**
 * Where a group-commit batch is written: inline on the caller's connection
 * (in-memory stores, which cannot be shared), or in a worker thread that owns
 * the write connection of a file-backed store, so that commits and their
 * fsync never block the event loop serving HTTP.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { StoreUnavailableError } from '../event-store.errors';
import { createBatchWriter, type WireBatch, type WireOutcome } from './batch-writer';

export interface BatchSink {
  write(batch: WireBatch): Promise<WireOutcome[]>;
  /** True once the writer can no longer commit (its thread died). */
  readonly broken: boolean;
  close(): Promise<void>;
}

export function inlineSink(db: Database.Database): BatchSink {
  const write = createBatchWriter(db);
  return {
    write: async (batch) => write(batch),
    broken: false,
    close: async () => undefined,
  };
}

type Reply = { id: number; outcomes: WireOutcome[] } | { id: number; failure: string };

export function workerSink(file: string): BatchSink {
  const worker = new Worker(join(__dirname, 'writer.worker.js'), { workerData: { file } });
  const pending = new Map<
    number,
    { resolve: (o: WireOutcome[]) => void; reject: (e: unknown) => void }
  >();
  let nextId = 0;
  let broken: StoreUnavailableError | undefined;
  const failAll = (error: StoreUnavailableError): void => {
    broken = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if ('outcomes' in reply) waiter?.resolve(reply.outcomes);
    else
      waiter?.reject(
        new StoreUnavailableError(`the embedded event log could not commit: ${reply.failure}`),
      );
  });
  worker.on('error', (error) =>
    failAll(new StoreUnavailableError('the embedded log writer failed', { cause: error })),
  );
  worker.on('exit', () => failAll(new StoreUnavailableError('the embedded log writer stopped')));
  return {
    write: (batch) =>
      new Promise((resolve, reject) => {
        if (broken) return reject(broken);
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'batch', id, batch });
      }),
    get broken() {
      return broken !== undefined;
    },
    close: async () => {
      if (broken) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' });
      await exited;
    },
  };
}
