/**
 * Owns the write connection of a file-backed embedded log, so that the fsync
 * of each group commit happens off the event loop that serves HTTP.
 * Started by workerSink (batch-sinks.ts) through spawnWorker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createBatchWriter, type WireBatch, type WireOutcome } from './batch-writer';

export interface WriterData {
  readonly file: string;
}

export type WriterRequest =
  | { readonly type: 'batch'; readonly id: number; readonly batch: WireBatch }
  | { readonly type: 'close' };

export type WriterReply =
  | { readonly id: number; readonly outcomes: WireOutcome[] }
  | { readonly id: number; readonly failure: string };

const port = parentPort;
if (port === null) throw new Error('writer.worker runs as a worker thread only');
const { file } = workerData as WriterData;

const db = new Database(file);
db.defaultSafeIntegers(true);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 4000');
const write = createBatchWriter(db);

const reply = (message: WriterReply): void => port.postMessage(message);

port.on('message', (message: WriterRequest) => {
  if (message.type === 'close') {
    db.close();
    port.close();
    return;
  }
  try {
    reply({ id: message.id, outcomes: write(message.batch) });
  } catch (error) {
    reply({ id: message.id, failure: error instanceof Error ? error.message : String(error) });
  }
});
