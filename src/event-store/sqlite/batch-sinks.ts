/**
 * Where a group-commit batch is written: inline on the caller's connection
 * (in-memory stores, which cannot be shared), or in a worker thread that owns
 * the write connection of a file-backed store, so that commits and their
 * fsync never block the event loop serving HTTP.
 */
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { spawnWorker } from '../../threads/spawn-worker';
import { StoreUnavailableError } from '../event-store.errors';
import { createBatchWriter, type WireBatch, type WireOutcome } from './batch-writer';
import type { WriterData, WriterReply, WriterRequest } from './writer.worker';

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

export function workerSink(file: string): BatchSink {
  const workerData: WriterData = { file };
  const worker = spawnWorker(join(__dirname, 'writer.worker'), { workerData });
  const send = (request: WriterRequest): void => worker.postMessage(request);
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
  worker.on('message', (reply: WriterReply) => {
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
        send({ type: 'batch', id, batch });
      }),
    get broken() {
      return broken !== undefined;
    },
    close: async () => {
      if (broken) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      send({ type: 'close' });
      await exited;
    },
  };
}
