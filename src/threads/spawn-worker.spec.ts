import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn-worker';

const firstMessage = (worker: Worker): Promise<unknown> =>
  new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });

describe('spawnWorker', () => {
  it('runs a TypeScript worker from source that imports our TypeScript modules', async () => {
    const worker = spawnWorker(join(__dirname, 'testing', 'format-money.worker'), {
      workerData: { amount: '12.5', currency: 'usd' },
    });
    try {
      await expect(firstMessage(worker)).resolves.toBe('12.50');
    } finally {
      await worker.terminate();
    }
  });

  it('reports a worker that fails to load as an error of that worker', async () => {
    const worker = spawnWorker(join(__dirname, 'testing', 'no-such.worker'));
    await expect(firstMessage(worker)).rejects.toThrow(/no-such\.worker/);
  });
});
