import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { LiveProjections, switchGenerationFile } from './live-projections';
import { serviceProjections } from './service-projections';

describe('LiveProjections', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'live-projections-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('removes generations a crashed rebuild left behind, and keeps the live one', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const live = 'read-models-100.sqlite';
    switchGenerationFile(dir, live);
    for (const name of ['read-models-200.sqlite', 'read-models-200.sqlite-wal', 'notes.txt'])
      writeFileSync(join(dir, name), 'x');
    const projections = new LiveProjections(
      store,
      dir,
      serviceProjections({ defaultCurrencies: new Map([['*', 'USD']]) }),
    );
    try {
      await projections.start();
      expect(projections.current.fileName).toBe(live);
      expect(existsSync(join(dir, 'read-models-200.sqlite'))).toBe(false);
      expect(existsSync(join(dir, 'read-models-200.sqlite-wal'))).toBe(false);
      expect(readdirSync(dir)).toEqual(expect.arrayContaining([live, 'notes.txt']));
    } finally {
      await projections.stop();
      await store.close();
    }
  });
});
