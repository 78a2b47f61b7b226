/**
 * bench:store — durable appends/s on the embedded log (file, WAL,
 * synchronous=FULL): one appender awaiting each append, then 64 concurrent
 * appenders sharing group commits. Same run, same machine, same event size.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  openSqliteEventStore,
  type SqliteEventStore,
} from '../src/event-store/sqlite/sqlite-event-store';

const SECONDS = 5;
const payload = { note: 'x'.repeat(1400), amount: '25.00', currency: 'USD' };

async function appender(store: SqliteEventStore, id: number, until: number): Promise<number> {
  let count = 0;
  while (Date.now() < until) {
    await store.append(
      `bench-${id}-${count}`,
      [{ id: randomUUID(), type: 'bench.event', data: payload }],
      {
        expectedRevision: 'no_stream',
      },
    );
    count++;
  }
  return count;
}

async function measure(
  concurrency: number,
): Promise<{ perSecond: number; appends: number; flushes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
  const store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  try {
    // The writer thread's start (from source: transpiling it) is not throughput: it is
    // counted in neither the time nor the appends, nor in the commits below.
    await store.append(
      'bench-warm-up',
      [{ id: randomUUID(), type: 'bench.event', data: payload }],
      {
        expectedRevision: 'no_stream',
      },
    );
    const flushesBefore = store.flushCount;
    const started = Date.now();
    const until = started + SECONDS * 1000;
    const counts = await Promise.all(
      Array.from({ length: concurrency }, (_, id) => appender(store, id, until)),
    );
    const appends = counts.reduce((sum, n) => sum + n, 0);
    return {
      perSecond: appends / ((Date.now() - started) / 1000),
      appends,
      flushes: store.flushCount - flushesBefore,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:store on ${process.version}: durable appends (~1.5 KB events, synchronous=FULL), ${SECONDS} s each`,
  );
  const sequential = await measure(1);
  console.log(
    `1 appender:    ${sequential.perSecond.toFixed(0).padStart(7)} appends/s (${sequential.appends} appends, ${sequential.flushes} commits)`,
  );
  const concurrent = await measure(64);
  console.log(
    `64 appenders:  ${concurrent.perSecond.toFixed(0).padStart(7)} appends/s (${concurrent.appends} appends, ${concurrent.flushes} commits, ${(concurrent.appends / concurrent.flushes).toFixed(1)} appends per commit)`,
  );
  console.log(`ratio: ${(concurrent.perSecond / sequential.perSecond).toFixed(1)}x (target >= 5x)`);
}

void main();
