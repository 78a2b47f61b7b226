import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Batch } from './read-model-store';
import { DEFAULT_READ_MODEL_FILE, ReadModelStore } from './read-model-store';

/** Holds the file's write lock from another thread for `ms`: the writer thread falls behind meanwhile. */
async function holdWriteLock(file: string, ms: number): Promise<Worker> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const db = new (require('better-sqlite3'))(workerData.file);
     db.exec('BEGIN IMMEDIATE');
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { file, ms } },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  return worker;
}

function batch(key: string, text: string, position: bigint): Batch {
  return {
    documents: [{ collection: 'campaign', key, body: { text, key } }],
    entries: [
      {
        entityKind: 'campaign',
        entityKey: key,
        ownerKey: null,
        outcome: 'applied',
        detail: { text: text.slice(0, 50) },
        projection: 'ledger',
        position,
        seq: 0,
        eventId: `e${position}`,
        streamId: `s${position}`,
        providerType: 'growsurf.X',
        receivedAt: '2026-11-01T12:00:00.000Z',
      },
    ],
    errors: [],
    notUnderstood: [],
    checkpoints: [
      {
        projection: 'ledger',
        version: 1,
        position,
        handled: position,
        notUnderstood: 0n,
        failed: 0n,
      },
    ],
  };
}

describe('the writer thread of a generation being built', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'building-writer-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every batch as handed over, across the wrap of its shared buffer and for a batch too large for it', async () => {
    // Non-ASCII text (2-, 3- and 4-byte UTF-8, a surrogate pair) so that code units and bytes differ.
    const unit = 'aé✓😀';
    const texts = new Map<string, string>();
    const building = new ReadModelStore({ directory: dir }, { building: true });
    // The writer thread stalls on its first batch: what follows waits in the shared buffer.
    const lock = await holdWriteLock(join(dir, DEFAULT_READ_MODEL_FILE), 1_500);
    // Batches of ~2.5 MB go round the 32 MiB buffer several times, and 20 of them (how far the
    // fold may run ahead) do not fit in it: placing one must wait for the worker to read the oldest.
    for (let i = 1; i <= 60; i += 1) {
      const text = `${i}:${'a'.repeat(2_500_000)}${unit.repeat(1_000)}`;
      texts.set(`c${i}`, text);
      building.commit(batch(`c${i}`, text, BigInt(i)));
    }
    const huge = `huge:${unit.repeat(700_000)}`;
    texts.set('huge', huge);
    building.commit(batch('huge', huge, 61n));
    building.close();
    await lock.terminate();

    const built = new ReadModelStore({ directory: dir });
    try {
      expect(built.checkpoints().get('ledger')?.position).toBe(61n);
      for (const [key, text] of texts) {
        expect(built.readDocument({ collection: 'campaign', key })).toEqual({ key, text });
      }
      const entries = built.db
        .prepare<[], { n: bigint }>('SELECT COUNT(*) AS n FROM ledger_entries')
        .get();
      expect(entries?.n).toBe(61n);
    } finally {
      built.close();
    }
  });
});
