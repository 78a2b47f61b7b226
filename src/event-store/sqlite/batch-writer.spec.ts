import Database from 'better-sqlite3';
import { createBatchWriter, type WireAppend } from './batch-writer';
import { openDatabase } from './schema';

const append = (stream: string, type: string): WireAppend => ({
  stream,
  expected: 'any',
  rows: [['00000000-0000-4000-8000-000000000000', type, '{}', '{}']],
});

describe('group-commit batch writer', () => {
  let db: Database.Database;

  beforeEach(() => {
    db = openDatabase(':memory:');
    // Stands in for any error the database raises for one append only.
    db.exec(`CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.type = 'poison'
             BEGIN SELECT RAISE(ABORT, 'poison refused'); END`);
  });
  afterEach(() => db.close());

  it('fails only the append the database refuses; the rest of the batch commits', () => {
    const write = createBatchWriter(db);
    const outcomes = write({
      appends: [append('a', 'ok'), append('b', 'poison'), append('a', 'ok')],
      created: 0n,
    });
    expect(outcomes).toEqual([
      { ok: [0n, 1n] },
      { failure: expect.stringContaining('poison refused') },
      { ok: [1n, 2n] },
    ]);
    const rows = db.prepare('SELECT stream_id, revision FROM events ORDER BY position').all();
    expect(rows).toEqual([
      { stream_id: 'a', revision: 0n },
      { stream_id: 'a', revision: 1n },
    ]);
  });

  it('throws when the only append of a batch is refused', () => {
    const write = createBatchWriter(db);
    expect(() => write({ appends: [append('b', 'poison')], created: 0n })).toThrow(
      'poison refused',
    );
  });
});
