import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Batch, Checkpoint } from './read-model-store';
import { DEFAULT_READ_MODEL_FILE, ReadModelStore } from './read-model-store';
import { indexGeneration } from './maintenance';
import { READ_MODEL_INDEX_NAMES, READ_MODEL_SCHEMA_VERSION } from './read-model-schema';

const checkpoint: Checkpoint = {
  projection: 'ledger',
  version: 1,
  position: 1n,
  handled: 1n,
  notUnderstood: 0n,
  failed: 0n,
};

function batch(documents: Batch['documents'], position = 1n): Batch {
  return {
    documents,
    entries: [],
    errors: [],
    notUnderstood: [],
    checkpoints: [{ ...checkpoint, position }],
  };
}

function indexNames(store: ReadModelStore): string[] {
  return store.db
    .prepare<[], { name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name`,
    )
    .all()
    .map((row) => row.name);
}

describe('ReadModelStore', () => {
  let dir: string;
  const open: ReadModelStore[] = [];
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'read-models-'))));
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const openStore = (building = false) => {
    const store = new ReadModelStore({ directory: dir }, { building });
    open.push(store);
    return store;
  };

  it('builds without secondary indexes; indexed, it answers through them', async () => {
    const store = openStore(true);
    expect(indexNames(store)).toEqual([]);
    // Written by its writer thread and read by the fold: WAL lets both at once.
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.commit(batch([{ collection: 'referral', key: 'r1', body: { advocateKey: 'a' } }]));
    store.close();
    await indexGeneration(join(dir, DEFAULT_READ_MODEL_FILE));

    const built = openStore();
    expect(indexNames(built)).toEqual([...READ_MODEL_INDEX_NAMES].sort());
    expect(built.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const plan = built.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT body FROM documents WHERE collection = 'referral'
         AND json_extract(body, '$.advocateKey') = 'a' ORDER BY key`,
      )
      .all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toContain('referrals_by_advocate');
  });

  it('finds every document it wrote while building, from memory or from disk', () => {
    const store = openStore(true);
    // More documents than the in-memory window holds, so early ones come back from SQLite.
    const documents = Array.from({ length: 120_000 }, (_, n) => ({
      collection: 'participant',
      key: `p${n}`,
      body: { n },
    }));
    for (let start = 0; start < documents.length; start += 10_000) {
      store.commit(batch(documents.slice(start, start + 10_000), BigInt(start + 1)));
    }
    for (const n of [0, 1, 59_999, 119_999]) {
      expect(store.loadDocument({ collection: 'participant', key: `p${n}` })).toEqual({ n });
    }
    expect(store.loadDocument({ collection: 'participant', key: 'never written' })).toBeUndefined();
  });

  it('serves queries the stored canonical text, not the object the fold cached', () => {
    const store = openStore();
    const body = { z: 1, a: { d: 2, c: 1 } };
    store.commit(batch([{ collection: 'campaign', key: 'c1', body }]));
    expect(store.loadDocument({ collection: 'campaign', key: 'c1' })).toBe(body);
    const read = store.readDocument({ collection: 'campaign', key: 'c1' });
    expect(JSON.stringify(read)).toBe('{"a":{"c":1,"d":2},"z":1}');
  });

  it('tells whether a document is stored, by collection and key', () => {
    const store = openStore();
    store.commit(batch([{ collection: 'participant', key: 'p1', body: { email: 'a@b.c' } }]));
    expect(store.hasDocument({ collection: 'participant', key: 'p1' })).toBe(true);
    expect(store.hasDocument({ collection: 'participant', key: 'p2' })).toBe(false);
    expect(store.hasDocument({ collection: 'campaign', key: 'p1' })).toBe(false);
  });

  function rewriteVersion(version: number): void {
    const raw = new Database(join(dir, 'read-models.sqlite'));
    raw.pragma(`user_version = ${version}`);
    raw.close();
  }

  it('keeps serving a file of an older schema version that holds projected data, marked outdated', () => {
    const first = openStore();
    first.commit(batch([{ collection: 'campaign', key: 'c1', body: { a: 1 } }]));
    first.close();
    rewriteVersion(READ_MODEL_SCHEMA_VERSION - 1);

    const reopened = openStore();
    expect(reopened.outdated).toBe(true);
    expect(reopened.checkpoints().get('ledger')?.position).toBe(1n);
    expect(reopened.readDocument({ collection: 'campaign', key: 'c1' })).toEqual({ a: 1 });
  });

  it.each([
    ['an older version that holds nothing projected', READ_MODEL_SCHEMA_VERSION - 1, false],
    ['a newer version (the service was downgraded)', READ_MODEL_SCHEMA_VERSION + 1, true],
  ])('empties a file of %s, so the projections run again', (_, version, projected) => {
    const first = openStore();
    first.commit(
      projected
        ? batch([{ collection: 'campaign', key: 'c1', body: { a: 1 } }])
        : { ...batch([]), checkpoints: [{ ...checkpoint, position: null }] },
    );
    first.close();
    rewriteVersion(version);

    const reopened = openStore();
    expect(reopened.outdated).toBe(false);
    expect(reopened.checkpoints().size).toBe(0);
    expect(reopened.readDocument({ collection: 'campaign', key: 'c1' })).toBeUndefined();
    expect(reopened.db.pragma('user_version', { simple: true })).toBe(
      BigInt(READ_MODEL_SCHEMA_VERSION),
    );
  });

  it('keeps documents and checkpoints across a reopen of the same version', () => {
    const first = openStore();
    first.commit(batch([{ collection: 'campaign', key: 'c1', body: { a: 1 } }], 7n));
    first.close();
    const reopened = openStore();
    expect(reopened.checkpoints().get('ledger')?.position).toBe(7n);
    expect(reopened.readDocument({ collection: 'campaign', key: 'c1' })).toEqual({ a: 1 });
  });

  it('while building, a batch that fails midway leaves nothing, and what came before it is kept', () => {
    const store = openStore(true);
    for (let i = 1; i <= 155; i += 1) {
      store.commit(batch([{ collection: 'campaign', key: `c${i}`, body: { i } }], BigInt(i)));
    }
    const failing: Batch = {
      ...batch([{ collection: 'campaign', key: 'c-failed', body: { i: 0 } }], 156n),
      entries: [
        {
          entityKind: 'campaign',
          entityKey: 'c-failed',
          ownerKey: null,
          outcome: 'not an outcome' as 'applied',
          detail: {},
          projection: 'ledger',
          position: 156n,
          seq: 0,
          eventId: 'e156',
          streamId: 's156',
          providerType: 'growsurf.X',
          receivedAt: '2026-11-01T12:00:00.000Z',
        },
      ],
    };
    // Written on the writer thread: the failure is thrown by this call or the next one.
    expect(() => {
      store.commit(failing);
      store.checkpoints();
    }).toThrow(/CHECK constraint/);
    store.close();

    const reopened = openStore();
    expect(reopened.checkpoints().get('ledger')?.position).toBe(155n);
    expect(reopened.readDocument({ collection: 'campaign', key: 'c155' })).toEqual({ i: 155 });
    expect(reopened.readDocument({ collection: 'campaign', key: 'c-failed' })).toBeUndefined();
  });
});
