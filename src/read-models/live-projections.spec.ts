import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { throwError } from 'rxjs';
import { StoreUnavailableError } from '../event-store/event-store.errors';
import type { EventStore, SubscribeToAllOptions } from '../event-store/event-store.port';
import { openSqliteEventStore } from '../event-store/sqlite/sqlite-event-store';
import { ingestWebhook } from '../webhooks/ingest-webhook';
import { ReadModelsUnavailable, UnknownProjection } from '../ledger/errors';
import { LiveProjections, switchGenerationFile } from './live-projections';
import { serviceProjections } from '../projections/service-projections';
import type { DocumentRef } from '../projections/projection';
import { READ_MODEL_SCHEMA_VERSION } from './storage/read-model-schema';
import type { ReadModelStore } from './storage/read-model-store';
import { growsurf, talkable } from '../projections/testing/recorded-webhooks';

const projectionsOf = () => serviceProjections({ defaultCurrencies: new Map([['*', 'USD']]) });
const request = {
  rawBody: Buffer.from(''),
  headers: {},
  params: {},
  receivedAt: new Date('2024-07-01T00:00:00Z'),
};

/** Alters a stored document behind the projections' back: a rebuilt one loses the mark, a carried one keeps it. */
function markByHand(store: ReadModelStore, ref: DocumentRef): void {
  const marked = { ...store.readDocument(ref), marked: true };
  store.db
    .prepare('UPDATE documents SET body = ? WHERE collection = ? AND key = ?')
    .run(JSON.stringify(marked), ref.collection, ref.key);
}

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
    const projections = new LiveProjections(store, dir, projectionsOf());
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

  it('rebuilds only the named projections and carries the others over as they stand', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const projections = new LiveProjections(store, dir, projectionsOf());
    const campaign = { collection: 'campaign', key: 'growsurf:ct8f71:ct8f71' };
    const unsubscribed = () =>
      projections.current.readModels.isUnsubscribed('test-site', 'referred@example.com');
    try {
      await projections.start();
      let head = 0n;
      for (const event of [growsurf('campaign-ended'), talkable('unsubscribe')])
        head = (await ingestWebhook(store, () => event, request)).position;
      expect(await projections.current.runner.waitForPosition(head, 2000)).toBe(true);
      markByHand(projections.current.store, campaign);
      projections.current.store.db
        .prepare(`DELETE FROM documents WHERE collection = 'unsubscribe'`)
        .run();
      expect(unsubscribed()).toBe(false);

      const started = projections.startRebuild(['unsubscribes']);
      expect(projections.status().rebuild).toMatchObject({ state: 'building', phase: 'copying' });
      const partial = await started.done;
      expect(partial).not.toHaveProperty('phase');
      expect(partial).toMatchObject({ state: 'switched', rebuilding: ['unsubscribes'] });
      expect(projections.current.store.readDocument(campaign)).toMatchObject({ marked: true });
      expect(unsubscribed()).toBe(true);
      expect(projections.current.runner.status().map((s) => s.handled)).toEqual([2n, 2n, 2n]);

      const full = await projections.startRebuild().done;
      expect(full.rebuilding).toEqual(['ledger', 'review-requests', 'unsubscribes']);
      expect(projections.current.store.readDocument(campaign)).not.toHaveProperty('marked');
      expect(() => projections.startRebuild(['ledger', 'nope'])).toThrow(UnknownProjection);
    } finally {
      await projections.stop();
      await store.close();
    }
  });

  it('rebuilds a projection whose version changed beside the live one, serving the old until the switch', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const campaign = { collection: 'campaign', key: 'growsurf:ct8f71:ct8f71' };
    const first = new LiveProjections(store, dir, projectionsOf());
    let head = 0n;
    await first.start();
    try {
      head = (await ingestWebhook(store, () => growsurf('campaign-ended'), request)).position;
      expect(await first.waitForPosition(head, 2000)).toBe(true);
      markByHand(first.current.store, campaign);
    } finally {
      await first.stop();
    }

    const [ledger, ...others] = projectionsOf();
    const upgraded = new LiveProjections(store, dir, [
      { ...ledger!, version: ledger!.version + 1 },
      ...others,
    ]);
    try {
      const { versionRebuild } = await upgraded.start();
      expect(versionRebuild).toBeDefined();
      const status = upgraded.status();
      expect(status.projections.find((p) => p.projection === 'ledger')).toMatchObject({
        state: 'held',
        version: ledger!.version,
        checkpoint: head,
      });
      expect(status.rebuild).toMatchObject({ state: 'building', rebuilding: ['ledger'] });
      // Served as the previous version left it, and a later delivery waits for the switch.
      expect(upgraded.current.store.readDocument(campaign)).toMatchObject({ marked: true });
      const later = (await ingestWebhook(store, () => talkable('unsubscribe'), request)).position;
      const reached = upgraded.waitForPosition(later, 5000);

      expect(await versionRebuild).toMatchObject({ state: 'switched', rebuilding: ['ledger'] });
      expect(await reached).toBe(true);
      expect(upgraded.current.held).toEqual([]);
      expect(upgraded.current.store.readDocument(campaign)).not.toHaveProperty('marked');
      expect(upgraded.status().projections.map((p) => [p.projection, p.version, p.state])).toEqual([
        ['ledger', ledger!.version + 1, 'running'],
        ['review-requests', others[0]!.version, 'running'],
        ['unsubscribes', others[1]!.version, 'running'],
      ]);
    } finally {
      await upgraded.stop();
      await store.close();
    }
  });

  it('tells a waiter false at once when the service stops, instead of holding it', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const projections = new LiveProjections(store, dir, projectionsOf());
    await projections.start();
    const waiting = projections.waitForPosition(1_000_000n, 60_000);
    // Were the waiter held for its 60 s, this test would outlive jest's 5 s timeout.
    await projections.current.runner.stop();
    expect(await waiting).toBe(false);
    await projections.stop();
    await store.close();
  });

  it('rebuilds every projection beside a live file of an older schema version', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const first = new LiveProjections(store, dir, projectionsOf());
    await first.start();
    const head = (await ingestWebhook(store, () => talkable('unsubscribe'), request)).position;
    expect(await first.waitForPosition(head, 2000)).toBe(true);
    const file = first.current.fileName;
    await first.stop();
    const raw = new Database(join(dir, file));
    raw.pragma(`user_version = ${READ_MODEL_SCHEMA_VERSION - 1}`);
    raw.close();

    const upgraded = new LiveProjections(store, dir, projectionsOf());
    try {
      const { versionRebuild } = await upgraded.start();
      expect(upgraded.status().projections.every((p) => p.state === 'held')).toBe(true);
      expect(upgraded.current.readModels.isUnsubscribed('test-site', 'referred@example.com')).toBe(
        true,
      );
      expect(await versionRebuild).toMatchObject({
        state: 'switched',
        rebuilding: ['ledger', 'review-requests', 'unsubscribes'],
      });
      expect(upgraded.current.fileName).not.toBe(file);
      expect(upgraded.current.store.outdated).toBe(false);
      expect(upgraded.current.readModels.isUnsubscribed('test-site', 'referred@example.com')).toBe(
        true,
      );
      expect(existsSync(join(dir, file))).toBe(false);
    } finally {
      await upgraded.stop();
      await store.close();
    }
  });

  it('sets a read-model file it cannot open aside, keeps it, says so, and projects the log into a fresh one', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const head = (await ingestWebhook(store, () => talkable('unsubscribe'), request)).position;
    writeFileSync(join(dir, 'read-models.sqlite'), 'this is no SQLite database '.repeat(200));
    const warnings: string[] = [];
    const projections = new LiveProjections(store, dir, projectionsOf(), {
      log: () => undefined,
      warn: (message) => warnings.push(message),
    });
    try {
      await projections.start();
      expect(await projections.waitForPosition(head, 2000)).toBe(true);
      expect(
        projections.current.readModels.isUnsubscribed('test-site', 'referred@example.com'),
      ).toBe(true);
      const kept = readdirSync(dir).filter((name) => name.includes('.unreadable-'));
      expect(kept).toHaveLength(1);
      expect(readFileSync(join(dir, kept[0] ?? ''), 'utf8')).toContain(
        'this is no SQLite database',
      );
      expect(warnings).toEqual([
        expect.stringMatching(
          /read-models\.sqlite cannot be opened .*set aside as read-models\.sqlite\.unreadable-\d+/,
        ),
      ]);
    } finally {
      await projections.stop();
      await store.close();
    }
  });

  it('opens read models locked by someone else again with backoff, serving 503 meanwhile, and keeps the file', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const first = new LiveProjections(store, dir, projectionsOf());
    await first.start();
    const head = (await ingestWebhook(store, () => talkable('unsubscribe'), request)).position;
    expect(await first.waitForPosition(head, 2000)).toBe(true);
    await first.stop();

    // better-sqlite3 waits 5 s for a lock before SQLITE_BUSY: this test takes that long.
    const lock = new Database(join(dir, 'read-models.sqlite'));
    // Exclusive locking mode: in WAL mode a plain exclusive transaction would still let readers in.
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
    const warnings: string[] = [];
    const lines: string[] = [];
    const projections = new LiveProjections(store, dir, projectionsOf(), {
      log: (message) => lines.push(message),
      warn: (message) => warnings.push(message),
    });
    try {
      expect(await projections.start()).toEqual({});
      expect(projections.status().projections[0]).toMatchObject({
        state: 'retrying',
        retry: { lastError: expect.stringMatching(/locked/) as string },
      });
      expect(() => projections.current).toThrow(ReadModelsUnavailable);
      expect(await projections.waitForPosition(head, 10)).toBe(false);

      lock.exec('COMMIT');
      lock.close();
      const deadline = Date.now() + 5000;
      while (!(await projections.waitForPosition(head, 50)) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(
        projections.current.readModels.isUnsubscribed('test-site', 'referred@example.com'),
      ).toBe(true);
      expect(readdirSync(dir).filter((name) => name.includes('.unreadable-'))).toEqual([]);
      expect(warnings).toEqual([expect.stringMatching(/cannot be opened .*again with backoff/)]);
      expect(lines).toEqual([
        expect.stringMatching(/read models opened after \d+ failed attempts/),
      ]);
    } finally {
      if (lock.open) lock.close();
      await projections.stop();
      await store.close();
    }
  });

  it('sets the live file aside when SQLite finds it corrupt in use, and projects the log into a fresh one', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const warnings: string[] = [];
    const projections = new LiveProjections(store, dir, projectionsOf(), {
      log: () => undefined,
      warn: (message) => warnings.push(message),
    });
    try {
      await projections.start();
      let head = 0n;
      for (let n = 0; n < 200; n += 1) {
        const share = talkable('post-share', { dedupeKey: `share ${n}` });
        head = (await ingestWebhook(store, () => share, request)).position;
      }
      expect(await projections.waitForPosition(head, 2000)).toBe(true);

      // Damage every page but the first behind SQLite's back, then make a real write so that
      // the service's connection drops its page cache and reads the damaged pages.
      const file = join(dir, 'read-models.sqlite');
      const raw = new Database(file);
      raw.pragma('wal_checkpoint(TRUNCATE)');
      const pageSize = Number(raw.pragma('page_size', { simple: true }));
      const size = statSync(file).size;
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.alloc(size - pageSize, 0x5a), 0, size - pageSize, pageSize);
      closeSync(fd);
      raw.exec('CREATE TABLE IF NOT EXISTS damage_marker (x)');
      raw.close();

      const later = talkable('offer-signup');
      head = (await ingestWebhook(store, () => later, request)).position;
      const deadline = Date.now() + 5000;
      while (!(await projections.waitForPosition(head, 50)) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(warnings).toEqual([
        expect.stringMatching(/running -> retrying with backoff: database disk image is malformed/),
        expect.stringMatching(/read-models\.sqlite is corrupt .*set aside as/),
      ]);
      expect(readdirSync(dir).filter((name) => name.includes('.unreadable-'))).toHaveLength(1);
      expect(
        projections.current.readModels.getParticipant('talkable:test-site:referrer@example.com')
          ?.participant.shares,
      ).toBe(200);
      expect(projections.status().projections.map((p) => p.state)).toEqual([
        'running',
        'running',
        'running',
      ]);
    } finally {
      await projections.stop();
      await store.close();
    }
  });

  it('a rebuild waits out a log that stops answering, and switches once it answers again', async () => {
    const log = openSqliteEventStore({ inMemory: true });
    let down = false;
    const refused = () => new StoreUnavailableError('connection refused (fake)');
    const store: EventStore = new Proxy(log, {
      get: (target, property) => {
        if (property === 'headPosition')
          return () => (down ? Promise.reject(refused()) : log.headPosition());
        if (property === 'subscribeToAll')
          return (options?: SubscribeToAllOptions) =>
            down ? throwError(refused) : log.subscribeToAll(options);
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function'
          ? (value as (...args: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const projections = new LiveProjections(store, dir, projectionsOf());
    try {
      await projections.start();
      const head = (await ingestWebhook(log, () => talkable('unsubscribe'), request)).position;
      expect(await projections.waitForPosition(head, 2000)).toBe(true);
      down = true;
      const { done } = projections.startRebuild();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(projections.status().rebuild).toMatchObject({ state: 'building' });
      down = false;
      expect(await done).toMatchObject({ state: 'switched' });
      expect(
        projections.current.readModels.isUnsubscribed('test-site', 'referred@example.com'),
      ).toBe(true);
    } finally {
      await projections.stop();
      await log.close();
    }
  });

  it('counts lag and chases a rebuild to the last delivery when another stream ends the log', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const projections = new LiveProjections(store, dir, projectionsOf());
    try {
      await projections.start();
      const head = (await ingestWebhook(store, () => talkable('unsubscribe'), request)).position;
      await store.append(
        'another-application-1',
        [{ id: '6f1c3c1e-4d7a-4f0e-9a59-2b1f1f0c9a01', type: 'something.else', data: {} }],
        { expectedRevision: 'any' },
      );
      expect(await projections.waitForPosition(head, 2000)).toBe(true);
      const { done } = projections.startRebuild();
      const finished = await Promise.race([
        done,
        new Promise((resolve) => setTimeout(() => resolve('still building after 5 s'), 5000)),
      ]);
      expect(finished).toMatchObject({ state: 'switched' });
      await ingestWebhook(store, () => talkable('offer-signup'), request);
      await store.append(
        'another-application-2',
        [{ id: '6f1c3c1e-4d7a-4f0e-9a59-2b1f1f0c9a02', type: 'something.else', data: {} }],
        { expectedRevision: 'any' },
      );
      const deadline = Date.now() + 2000;
      while (projections.status().projections.some((p) => p.lag !== 0n) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(projections.status().projections.map((p) => p.lag)).toEqual([0n, 0n, 0n]);
    } finally {
      await projections.stop();
      await store.close();
    }
  });

  it('gives up a rebuild the service stops in the middle of, and removes its generation', async () => {
    const store = openSqliteEventStore({ inMemory: true });
    const projections = new LiveProjections(store, dir, projectionsOf());
    await projections.start();
    await ingestWebhook(store, () => talkable('unsubscribe'), request);
    const live = projections.current.fileName;
    const { progress, done } = projections.startRebuild();
    await projections.stop();
    expect(await done).toMatchObject({ state: 'failed' });
    expect(existsSync(join(dir, progress.fileName))).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
    await store.close();
  });
});
