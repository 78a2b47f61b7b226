import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { activeGenerationFile } from '../../src/read-models/live-projections';
import { growsurfDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { post } from '../support/http';
import { describeOnEachLog } from '../support/logs';
import { seedHistory } from '../support/seed-history';
import { spawnService } from '../support/spawn-service';
import { makeDataDir, testEnv } from '../support/start-app';
import { fromSourceArgs } from '../support/transpile-cache';

const root = join(__dirname, '..', '..');

async function runScript(
  script: string,
  env: Record<string, string>,
  args: readonly string[] = [],
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [...fromSourceArgs(join(root, 'scripts', script)), ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

/** verify compares the read models with the log's head, which other suites writing would move. */
const ownLog = {
  needsOwnLog: "compares the read models with the log's head, which other suites move",
};

describeOnEachLog('npm run verify and npm run rebuild', ownLog, (log) => {
  it("verifies after ingest under load, a kill -9 mid-projection, another application's event at the end of the log and a restart; the offline rebuild verifies too", async () => {
    const dataDir = makeDataDir();
    const env = testEnv(dataDir, log);
    try {
      const first = await spawnService(env);
      for (const { delivery } of seedHistory()) await post(first.url, delivery);
      let n = 0;
      const load = Array.from({ length: 16 }, async () => {
        while (n < 1500)
          await post(first.url, growsurfDelivery(uniqueGrowsurfReward(n++))).catch(() => undefined);
      });
      await new Promise((resolve) => setTimeout(resolve, 700));
      await first.kill('SIGKILL');
      await Promise.all(load);
      // The log now ends with an event the projections never read: verify and rebuild still finish.
      await log.appendForeignEvent(dataDir);

      const second = await spawnService(env);
      const verified = await runScript('verify.ts', env);
      expect(verified.output).toContain('verified');
      expect(verified.code).toBe(0);
      await second.kill('SIGTERM');

      const rebuilt = await runScript('rebuild.ts', env);
      expect(rebuilt.output).toContain('rebuilt ledger, review-requests, unsubscribes up to');
      expect(rebuilt.code).toBe(0);
      const again = await runScript('verify.ts', { ...env, VERIFY_WAIT_SECONDS: '1' });
      expect(again.code).toBe(0);

      const one = await runScript('rebuild.ts', env, ['ledger']);
      expect(one.output).toContain('rebuilt ledger up to');
      expect(one.code).toBe(0);
      const unknown = await runScript('rebuild.ts', env, ['ledgr']);
      expect(unknown.output).toContain('no projection named ledgr; the projections are ledger');
      expect(unknown.code).not.toBe(0);
      const still = await runScript('verify.ts', { ...env, VERIFY_WAIT_SECONDS: '1' });
      expect(still.code).toBe(0);

      // A read model that drifted from the log is caught.
      const live = new Database(join(dataDir, activeGenerationFile(dataDir)));
      live
        .prepare(
          "UPDATE documents SET body = replace(body, '25.00', '26.00') WHERE collection = 'reward'",
        )
        .run();
      live.close();
      const drifted = await runScript('verify.ts', { ...env, VERIFY_WAIT_SECONDS: '1' });
      expect(drifted.code).toBe(1);
      expect(drifted.output).toMatch(/[1-9]\d* differences/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
