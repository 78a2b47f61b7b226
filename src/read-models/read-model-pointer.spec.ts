import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { activeGenerationFile, InvalidReadModelPointer, LiveProjections } from './live-projections';
import { serviceProjections } from '../projections/service-projections';

const projectionsOf = () => serviceProjections({ defaultCurrencies: new Map([['*', 'USD']]) });

describe('read-models.current, the pointer to the live read models', () => {
  let parent: string;
  let dataDir: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'pointer-'));
    dataDir = join(parent, 'data');
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  async function startWithPointer(content: string): Promise<unknown> {
    const log = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    writeFileSync(join(dataDir, 'read-models.current'), content);
    const projections = new LiveProjections(log, dataDir, projectionsOf());
    try {
      await projections.start();
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await projections.stop();
      await log.close();
    }
  }

  it('is refused when it names the event log: no read-model table is written into it', async () => {
    const refusal = await startWithPointer('events.sqlite\n');
    expect(refusal).toBeInstanceOf(InvalidReadModelPointer);
    expect((refusal as Error).message).toContain('read-models.current holds "events.sqlite"');
    const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    db.close();
    expect(tables).not.toContain('documents');
    expect(tables).not.toContain('projection_checkpoints');
  });

  it('is refused when it leads outside DATA_DIR: nothing is written there', async () => {
    for (const outside of [
      '../x.sqlite',
      join(parent, 'y.sqlite'),
      'read-models-1.sqlite/../../z.sqlite',
    ]) {
      const refusal = await startWithPointer(outside);
      expect(refusal).toBeInstanceOf(InvalidReadModelPointer);
    }
    for (const name of ['x.sqlite', 'y.sqlite', 'z.sqlite'])
      expect(existsSync(join(parent, name))).toBe(false);
  });

  it('is refused when the generation it names is a link (here to the event log)', async () => {
    const log = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    await log.close();
    symlinkSync(join(dataDir, 'events.sqlite'), join(dataDir, 'read-models-5.sqlite'));
    const refusal = await startWithPointer('read-models-5.sqlite');
    expect(refusal).toBeInstanceOf(InvalidReadModelPointer);
    expect((refusal as Error).message).toContain('names a link');
  });

  it('is followed when it names a generation of ours, and keeps the other generations while refused', async () => {
    expect(await startWithPointer('read-models-7.sqlite\n')).toBeUndefined();
    expect(activeGenerationFile(dataDir)).toBe('read-models-7.sqlite');
    // A refused pointer must not make the live generation look abandoned (and removed).
    expect(await startWithPointer('nonsense')).toBeInstanceOf(InvalidReadModelPointer);
    expect(existsSync(join(dataDir, 'read-models-7.sqlite'))).toBe(true);
    expect(readFileSync(join(dataDir, 'read-models.current'), 'utf8')).toBe('nonsense');
  });
});
