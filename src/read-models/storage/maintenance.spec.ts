import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyProjectionsInto, indexGeneration } from './maintenance';
import { READ_MODEL_INDEX_NAMES } from './read-model-schema';
import { ReadModelStore, type Batch } from './read-model-store';

function batch(projection: string, collection: string, key: string): Batch {
  return {
    documents: [{ collection, key, body: { key } }],
    entries: [
      {
        projection,
        position: 1n,
        seq: 0,
        entityKind: collection,
        entityKey: key,
        ownerKey: null,
        outcome: 'applied',
        detail: {},
        eventId: 'e1',
        streamId: 's1',
        providerType: 't',
        receivedAt: '2026-01-01T00:00:00.000Z',
      },
    ],
    errors: [],
    notUnderstood: [],
    checkpoints: [
      { projection, version: 1, position: 1n, handled: 1n, notUnderstood: 0n, failed: 0n },
    ],
  };
}

describe('read-model maintenance on a worker thread', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'maintenance-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies exactly the carried projections into a new generation', async () => {
    const live = new ReadModelStore({ directory: dir, fileName: 'live.sqlite' });
    live.commit(batch('kept', 'kept-docs', 'k1'));
    live.commit(batch('rebuilt', 'rebuilt-docs', 'r1'));
    await copyProjectionsInto(join(dir, 'next.sqlite'), join(dir, 'live.sqlite'), [
      { name: 'kept', collections: ['kept-docs'] },
    ]);
    live.close();

    const next = new ReadModelStore(
      { directory: dir, fileName: 'next.sqlite' },
      { building: true },
    );
    try {
      expect(next.loadDocument({ collection: 'kept-docs', key: 'k1' })).toEqual({ key: 'k1' });
      expect(next.loadDocument({ collection: 'rebuilt-docs', key: 'r1' })).toBeUndefined();
      expect([...next.checkpoints().keys()]).toEqual(['kept']);
      const entries = next.db.prepare('SELECT projection FROM ledger_entries').all();
      expect(entries).toEqual([{ projection: 'kept' }]);
    } finally {
      next.close();
    }
  });

  it('indexes a built generation and leaves it in WAL mode', async () => {
    const building = new ReadModelStore(
      { directory: dir, fileName: 'gen.sqlite' },
      { building: true },
    );
    building.commit(batch('p', 'referral', 'r1'));
    building.close();
    await indexGeneration(join(dir, 'gen.sqlite'));

    const built = new ReadModelStore({ directory: dir, fileName: 'gen.sqlite' });
    try {
      const names = built.db
        .prepare<[], { name: string }>(
          `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'`,
        )
        .all()
        .map((row) => row.name)
        .sort();
      expect(names).toEqual([...READ_MODEL_INDEX_NAMES].sort());
      expect(built.db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      built.close();
    }
  });

  it('rejects with the reason when the task fails', async () => {
    await expect(indexGeneration(join(dir, 'missing', 'gen.sqlite'))).rejects.toThrow(
      /read-model index failed: .*(directory|unable to open)/i,
    );
  });
});
