import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LiveProjections } from '../../src/read-models/live-projections';
import { WorkerRunner } from '../../src/read-models/worker-runner';
import { growsurfDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { eventually } from '../support/eventually';
import { get, post } from '../support/http';
import { describeOnEachLog } from '../support/logs';
import { startApp, testEnv } from '../support/start-app';
import { fromSourceArgs } from '../support/transpile-cache';

const root = join(__dirname, '..', '..');

async function verify(env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      fromSourceArgs(join(root, 'scripts', 'verify.ts')),
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeOnEachLog(
  'the projection worker killed alone',
  { needsOwnLog: "verify compares the read models with the log's head, which other suites move" },
  (log) => {
    it('loses nothing and applies nothing twice when the worker is killed mid-batch under ingest load; readiness says so meanwhile; npm run verify passes', async () => {
      const app = await startApp({ log });
      try {
        const projections = app.app.get(LiveProjections);
        let n = 0;
        const load = Array.from({ length: 16 }, async () => {
          while (n < 1200)
            await post(app.url, growsurfDelivery(uniqueGrowsurfReward(n++))).catch(() => undefined);
        });
        const causes: string[] = [];
        for (let kill = 0; kill < 2; kill += 1) {
          await sleep(400);
          const runner = projections.current.runner;
          if (!(runner instanceof WorkerRunner)) throw new Error('the runner is not on a worker');
          // The log grows under it as it folds: ended wherever it is, a batch half applied.
          await runner.terminate();
          const ready = await get(app.url, '/health/ready');
          expect(ready.status).toBe(503);
          causes.push(...(ready.body.causes as string[]));
          const again = await eventually(
            () => get(app.url, '/health/ready'),
            (answer) => answer.status === 200,
            30_000,
          );
          expect(again.status).toBe(200);
        }
        await Promise.all(load);
        expect(causes.some((cause) => /projection worker exited/.test(cause))).toBe(true);

        const verified = await verify(testEnv(app.dataDir, log));
        expect(verified.output).toContain('verified');
        expect(verified.code).toBe(0);
      } finally {
        await app.dispose();
      }
    }, 180_000);
  },
);
