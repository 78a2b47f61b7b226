import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { growsurfDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { post } from '../support/http';
import { recordedDeliveries } from '../support/log';
import { closeWithin, describeOnEachLog, type TestLog } from '../support/logs';
import { spawnService, type ServiceProcess } from '../support/spawn-service';
import { makeDataDir, startApp, testEnv } from '../support/start-app';

/**
 * A number no other test of this run starts its deliveries from: an
 * EventStoreDB log outlives one test (and a real server is shared by the run),
 * so reused reward ids would be answered as duplicates of earlier tests'.
 */
const freshDeliveryBase = (): number => randomInt(1, 2 ** 30) * 10_000;

/** Sends unique deliveries from `workers` loops until told to stop; returns the acknowledged event ids. */
function sendUntilStopped(service: ServiceProcess, workers: number, limit: number) {
  const base = freshDeliveryBase();
  const acknowledged = new Set<string>();
  let sent = 0;
  let stopping = false;
  const loops = Array.from({ length: workers }, async () => {
    while (!stopping && sent < limit) {
      sent++;
      try {
        const answer = await post(service.url, growsurfDelivery(uniqueGrowsurfReward(base + sent)));
        if (answer.status === 200) acknowledged.add(answer.body.eventId as string);
      } catch {
        // the connection died with the process: this delivery was not acknowledged
      }
    }
  });
  return {
    acknowledged,
    sent: () => sent,
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}

/** What the log holds, read back from the same log the service wrote to (the emulator outlives it). */
async function loggedEventIds(log: TestLog, dataDir: string): Promise<Set<string>> {
  const store = log.openStore(dataDir);
  try {
    return new Set((await recordedDeliveries(store)).map((event) => event.id));
  } finally {
    await closeWithin(store);
  }
}

/** Nest's shutdown drains requests and closes the store: seconds, never a hang. */
const GRACEFUL_STOP_MS = 10_000;

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

describeOnEachLog('durability of acknowledged deliveries', (log) => {
  it('answers a retry after a restart as a duplicate of the delivery recorded before it', async () => {
    const first = await startApp({ log });
    const delivery = growsurfDelivery(uniqueGrowsurfReward(freshDeliveryBase()));
    const original = await post(first.url, delivery);
    expect(original.body.status).toBe('recorded');
    await first.stop();
    const second = await startApp({ log, dataDir: first.dataDir });
    try {
      const retry = await post(second.url, delivery);
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ status: 'duplicate', eventId: original.body.eventId });
    } finally {
      await second.dispose();
    }
  });

  it.each([
    ['SIGKILL', 'kill -9'],
    ['SIGTERM', 'a graceful stop'],
  ] as const)(
    'keeps every acknowledged delivery through %s (%s) under load',
    async (signal, _description) => {
      const dataDir = makeDataDir();
      try {
        const service = await spawnService(testEnv(dataDir, log));
        const load = sendUntilStopped(service, 16, 3_000);
        await waitFor(() => load.acknowledged.size >= 300, 15_000);
        // A graceful stop closes the store: it must finish, also on EventStoreDB.
        await service.kill(signal, GRACEFUL_STOP_MS);
        await load.stop();
        expect(load.acknowledged.size).toBeGreaterThanOrEqual(300);
        const logged = await loggedEventIds(log, dataDir);
        const lost = [...load.acknowledged].filter((eventId) => !logged.has(eventId));
        expect(lost).toEqual([]);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
