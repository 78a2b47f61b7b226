import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { ReadModelStore } from '../read-models/storage/read-model-store';
import { tightenDataDir } from './private-files';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('files in DATA_DIR are private to the owner', () => {
  let parent: string;
  let dataDir: string;
  const umask = process.umask();
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'private-files-'));
    dataDir = join(parent, 'data');
    // The usual umask, which left the log 0644 in a 0755 directory.
    process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(parent, { recursive: true, force: true });
  });

  it('creates the event log and the read models 0600 (with their -wal and -shm) in a 0700 directory', async () => {
    const log = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    await log.append(
      'webhook-a',
      [{ id: '00000000-0000-4000-8000-000000000001', type: 't', data: {} }],
      {
        expectedRevision: 'no_stream',
      },
    );
    const readModels = new ReadModelStore({ directory: dataDir });
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      const files = readdirSync(dataDir);
      expect(files).toEqual(
        expect.arrayContaining(['events.sqlite', 'events.sqlite-wal', 'read-models.sqlite']),
      );
      for (const name of files) expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
    } finally {
      readModels.close();
      await log.close();
    }
  });

  it('tightens at start what an earlier release left 0644 in a 0755 directory, and leaves links alone', () => {
    rmSync(dataDir, { recursive: true, force: true });
    const outside = join(parent, 'outside.txt');
    writeFileSync(outside, 'not ours', { mode: 0o644 });
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    for (const name of [
      'events.sqlite',
      'events.sqlite-wal',
      'read-models.sqlite',
      'read-models.current',
    ])
      writeFileSync(join(dataDir, name), 'x', { mode: 0o644 });
    writeFileSync(join(dataDir, 'api-keys.json'), '{}', { mode: 0o600 });
    symlinkSync(outside, join(dataDir, 'a-link'));

    const tightened = tightenDataDir(dataDir);

    expect(tightened.sort()).toEqual(
      ['events.sqlite', 'events.sqlite-wal', 'read-models.current', 'read-models.sqlite'].sort(),
    );
    expect(modeOf(dataDir)).toBe(0o700);
    for (const name of readdirSync(dataDir).filter((n) => n !== 'a-link'))
      expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
    expect(modeOf(outside)).toBe(0o644);
  });
});
