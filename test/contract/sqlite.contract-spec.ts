import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { describeEventStoreContract } from './event-store.contract';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describeEventStoreContract('embedded SQLite (file, WAL, synchronous=FULL)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-sqlite-'));
  dirs.push(dir);
  return openSqliteEventStore({ file: join(dir, 'events.sqlite') });
});

describeEventStoreContract('embedded SQLite (in memory)', async () =>
  openSqliteEventStore({ inMemory: true }),
);
