import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/event-store/sqlite/sqlite-event-store';
import { describeEventStoreContract } from './event-store.contract';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The embedded log has no server and no connection: two behaviours have nothing to act on. */
const notApplicable = {
  unreachable:
    'the embedded log is a file opened in this process; there is no server to be unreachable (a file that cannot be opened fails openSqliteEventStore itself)',
  droppedSubscription:
    'an embedded subscription is a pull loop over the file in this process; there is no connection to drop',
};

describeEventStoreContract(
  'embedded SQLite (file, WAL, synchronous=FULL)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-sqlite-'));
    dirs.push(dir);
    // A smaller limit than the default keeps the largest-append behaviour quick on a file.
    return openSqliteEventStore({
      file: join(dir, 'events.sqlite'),
      maxAppendSize: 2 * 1024 * 1024,
    });
  },
  { notApplicable },
);

// The default limit (16 MiB), in memory.
describeEventStoreContract(
  'embedded SQLite (in memory)',
  async () => openSqliteEventStore({ inMemory: true }),
  { notApplicable },
);
