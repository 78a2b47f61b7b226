/**
 * The service on an EventStoreDB log that is not there, or goes away under
 * load, against the EventStoreDB emulator (test/support/esdb-emulator): an
 * in-process stand-in, not a real server.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { startEsdbEmulator, type EsdbEmulator } from '../support/esdb-emulator';
import { growsurfDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { get, post, type HttpAnswer } from '../support/http';
import { recordedDeliveries, storeOf } from '../support/log';
import { spawnService, type ServiceProcess } from '../support/spawn-service';
import { makeDataDir, startApp, testEnv, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';
import { eventually } from '../support/eventually';

const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

interface ProjectionState {
  readonly projection: string;
  readonly state: string;
  readonly checkpoint: string | null;
  readonly handled: string;
}

/** A port nothing listens on (yet). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let delivered = 0;
/** A delivery nobody sent before: a new reward each time. */
function freshDelivery() {
  delivered += 1;
  return growsurfDelivery(uniqueGrowsurfReward(10_000 + delivered));
}

/** Every live projection has applied `position`. */
async function projectedUpTo(app: RunningApp, position: bigint): Promise<ProjectionState[]> {
  const answer = await eventually(
    () => get(app.url, '/projections/status', admin),
    (status) =>
      (status.body.projections as ProjectionState[]).every(
        (p) => p.checkpoint !== null && BigInt(p.checkpoint) >= position,
      ),
    15_000,
  );
  return answer.body.projections as ProjectionState[];
}

const maxOf = (positions: Iterable<bigint>): bigint =>
  [...positions].reduce((a, b) => (a > b ? a : b), 0n);

describe('healing on the EventStoreDB emulator', () => {
  let emulator: EsdbEmulator | undefined;
  let app: RunningApp | undefined;

  afterEach(async () => {
    await app?.dispose();
    app = undefined;
    await emulator?.stop();
    emulator = undefined;
  });

  it('emulator not listening at boot: the service is up, 503s readiness and webhooks, and is ready within 5 s of the emulator starting on that port, without a restart', async () => {
    const port = await closedPort();
    const started = Date.now();
    app = await startApp({
      env: { EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false` },
    });
    expect(Date.now() - started).toBeLessThan(10_000);

    const red = await get(app.url, '/health/ready');
    expect(red.status).toBe(503);
    expect(red.headers.get('retry-after')).toBe('5');
    expect((red.body.causes as string[]).join('\n')).toMatch(
      /the event store \(eventstoredb\) does not answer/,
    );
    const refused = await post(app.url, freshDelivery());
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    const status = await get(app.url, '/projections/status', admin);
    expect((status.body.projections as ProjectionState[]).map((p) => p.state)).toEqual([
      'retrying',
      'retrying',
      'retrying',
    ]);

    emulator = await startEsdbEmulator({ port });
    const upAt = Date.now();
    const green = await eventually(
      () => get(app!.url, '/health/ready'),
      (answer) => answer.status === 200,
      5_000,
    );
    expect(green.body).toMatchObject({ status: 'ok', causes: [] });
    expect(Date.now() - upAt).toBeLessThan(5_000);

    const positions: bigint[] = [];
    for (let n = 0; n < 10; n += 1) {
      const answer = await post(app.url, freshDelivery());
      expect(answer.status).toBe(200);
      positions.push(BigInt(String(answer.body.position)));
    }
    const projections = await projectedUpTo(app, maxOf(positions));
    expect(projections.map((p) => p.state)).toEqual(['running', 'running', 'running']);
    expect(projections.find((p) => p.projection === 'ledger')?.handled).toBe('10');
  }, 60_000);

  it('emulator not listening when the service process (src/main.ts) starts: it listens, turns ready within 5 s of the emulator starting, and logs each change once', async () => {
    const port = await closedPort();
    const dataDir = makeDataDir();
    let service: ServiceProcess | undefined;
    try {
      service = await spawnService({
        ...testEnv(dataDir),
        EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`,
        LOG_LEVEL: 'log',
      });
      const running = service;
      expect((await get(running.url, '/health/ready')).status).toBe(503);
      expect((await post(running.url, freshDelivery())).status).toBe(503);
      // Long enough for several failed attempts (200 ms, 400 ms, 800 ms, 1.6 s).
      await new Promise((resolve) => setTimeout(resolve, 3_000));

      emulator = await startEsdbEmulator({ port });
      const upAt = Date.now();
      const green = await eventually(
        () => get(running.url, '/health/ready'),
        (answer) => answer.status === 200,
        5_000,
      );
      expect(green.status).toBe(200);
      expect(Date.now() - upAt).toBeLessThan(5_000);
      expect((await post(running.url, freshDelivery())).status).toBe(200);

      const lines = running.output().split('\n');
      expect(lines.filter((line) => line.includes('-> retrying with backoff'))).toHaveLength(1);
      expect(lines.filter((line) => line.includes('retrying -> running'))).toHaveLength(1);
      expect(lines.filter((line) => line.includes('appends to the event log fail'))).toHaveLength(
        1,
      );
      expect(running.output()).not.toMatch(/Unhandled|UnhandledPromiseRejection/);
      // Stops gracefully (kill rejects when it takes longer).
      await running.kill('SIGTERM', 10_000);
    } finally {
      if (service?.child.exitCode === null) await service.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('emulator refusing appends while it answers reads: readiness turns 503 naming the failing appends, and 200 once an append succeeds', async () => {
    emulator = await startEsdbEmulator();
    app = await startApp({ env: { EVENTSTORE_CONNECTION_STRING: emulator.connectionString } });
    expect((await get(app.url, '/health/ready')).status).toBe(200);

    emulator.faults.failAppends(true);
    const refused = await post(app.url, freshDelivery());
    expect(refused.status).toBe(503);
    const red = await get(app.url, '/health/ready');
    expect(red.status).toBe(503);
    expect(red.body.eventStore).toMatchObject({ kind: 'eventstoredb', ready: true });
    expect(red.body.causes).toEqual([
      expect.stringMatching(/^appends to the event store fail since .* \(1 so far\): /),
    ]);
    // A ping that answers does not clear failures it cannot explain: only an append can.
    expect((await get(app.url, '/health/ready')).status).toBe(503);

    emulator.faults.failAppends(false);
    expect((await post(app.url, freshDelivery())).status).toBe(200);
    expect((await get(app.url, '/health/ready')).body).toMatchObject({ status: 'ok', causes: [] });
  }, 60_000);

  it('emulator restarted under load: nothing acknowledged is lost and the projections catch up', async () => {
    emulator = await startEsdbEmulator();
    app = await startApp({ env: { EVENTSTORE_CONNECTION_STRING: emulator.connectionString } });
    const running = app;
    const acknowledged = new Map<string, bigint>();
    const answers: HttpAnswer[] = [];
    let sending = true;
    const sender = async (): Promise<void> => {
      while (sending) {
        const answer = await post(running.url, freshDelivery());
        answers.push(answer);
        if (answer.status === 200)
          acknowledged.set(String(answer.body.eventId), BigInt(String(answer.body.position)));
        // A provider waits before retrying; a short pause keeps the refused ones from spinning.
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const senders = Array.from({ length: 4 }, () => sender());

    await eventually(
      async () => acknowledged.size,
      (size) => size >= 20,
      10_000,
    );
    // A restart takes a real server a while: the emulator stays down for 2.5 s under load.
    await emulator.stop();
    const downAt = Date.now();
    const beforeRestart = answers.length;
    // Meanwhile the status says the projections are not following the log.
    const statesWhileDown = await eventually(
      async () =>
        (
          (await get(running.url, '/projections/status', admin)).body
            .projections as ProjectionState[]
        ).map((p) => p.state),
      (states) => states.every((state) => state === 'retrying'),
      2_000,
    );
    expect(statesWhileDown).toEqual(['retrying', 'retrying', 'retrying']);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2_500 - (Date.now() - downAt))));
    await emulator.start();
    const afterRestart = acknowledged.size;
    await eventually(
      async () => acknowledged.size,
      (size) => size >= afterRestart + 20,
      15_000,
    );
    sending = false;
    await Promise.all(senders);
    // The restart happened under load: deliveries were refused (503, retry later) while it was down.
    expect(answers.slice(beforeRestart).some((a) => a.status === 503)).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(afterRestart + 20);
    // Only 200s and retry-later 503s, never a 500.
    expect(new Set(answers.map((a) => a.status))).toEqual(
      new Set(answers.some((a) => a.status === 503) ? [200, 503] : [200]),
    );

    const recorded = await recordedDeliveries(storeOf(running));
    const recordedIds = new Set(recorded.map((event) => event.id));
    expect([...acknowledged.keys()].filter((id) => !recordedIds.has(id))).toEqual([]);

    const projections = await projectedUpTo(running, maxOf(acknowledged.values()));
    expect(projections.map((p) => p.state)).toEqual(['running', 'running', 'running']);
    expect(projections.find((p) => p.projection === 'ledger')?.handled).toBe(
      String(recorded.length),
    );
    expect((await get(running.url, '/health/ready')).status).toBe(200);
  }, 90_000);
});
