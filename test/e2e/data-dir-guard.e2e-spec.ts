/**
 * Guardrails on local data, with real processes (the lock is per process):
 * one service per DATA_DIR, no offline rebuild under a running service, files
 * private to the owner, and a read-model pointer that cannot lead elsewhere.
 * On the embedded SQLite log (the read models are local on every log).
 */
import { execFile, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { growsurfDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { post } from '../support/http';
import { freePort, spawnService } from '../support/spawn-service';
import { makeDataDir, testEnv } from '../support/start-app';
import { fromSourceArgs } from '../support/transpile-cache';

const root = join(__dirname, '..', '..');
const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** Starts src/main.ts expecting it to refuse: resolves with its exit code and output once it exited. */
async function refusedStart(
  env: Record<string, string>,
): Promise<{ code: number | null; stderr: string; output: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, fromSourceArgs(join(root, 'src', 'main.ts')), {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stderr, output: stdout + stderr };
}

async function runScript(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      fromSourceArgs(join(root, 'scripts', script)),
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
    );
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('guardrails on DATA_DIR (embedded SQLite log, real processes)', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = join(makeDataDir(), 'data')));
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('refuses a second service and an offline rebuild on the same DATA_DIR, naming the process that holds it; the first keeps recording', async () => {
    const env = testEnv(dataDir);
    const first = await spawnService(env);
    try {
      const firstPid = String(first.child.pid);
      const second = await refusedStart(env);
      expect(second.code).toBe(75);
      expect(second.stderr).toContain(`is in use by the service with pid ${firstPid}`);
      expect(second.output).not.toContain('listening on');

      const pointerBefore = readdirSync(dataDir).sort();
      const rebuild = await runScript('rebuild.ts', env);
      expect(rebuild.code).toBe(75);
      expect(rebuild.output).toContain(`pid ${firstPid}`);
      expect(rebuild.output).toContain('POST /projections/rebuild');
      expect(readdirSync(dataDir).sort()).toEqual(pointerBefore);

      const answer = await post(first.url, growsurfDelivery(uniqueGrowsurfReward(1)));
      expect(answer.status).toBe(200);
    } finally {
      await first.kill('SIGTERM', 15_000);
    }
    // Once the first stopped, the directory is free again.
    const next = await spawnService(env);
    await next.kill('SIGTERM', 15_000);
  }, 90_000);

  it('keeps every file 0600 in a 0700 directory, tightening at start what an older release left 0644 in 0755', async () => {
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const env = testEnv(dataDir);
    const older = await spawnService(env);
    await post(older.url, growsurfDelivery(uniqueGrowsurfReward(2)));
    await older.kill('SIGTERM', 15_000);
    // As an older release (or a copy with the default umask) left them.
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) chmodSync(join(dataDir, name), 0o644);

    const service = await spawnService(env);
    try {
      expect((await post(service.url, growsurfDelivery(uniqueGrowsurfReward(3)))).status).toBe(200);
      expect(modeOf(dataDir)).toBe(0o700);
      const files = readdirSync(dataDir);
      expect(files).toEqual(expect.arrayContaining(['events.sqlite', 'events.sqlite-wal']));
      for (const name of files) expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
    } finally {
      await service.kill('SIGTERM', 15_000);
    }
  }, 90_000);

  it('refuses to start when read-models.current leads outside DATA_DIR or into the event log, writing nothing there', async () => {
    const env = testEnv(dataDir);
    const service = await spawnService(env);
    await service.kill('SIGTERM', 15_000);
    const eventLog = join(dataDir, 'events.sqlite');
    for (const pointed of ['../outside.sqlite', 'events.sqlite']) {
      writeFileSync(join(dataDir, 'read-models.current'), `${pointed}\n`);
      const refused = await refusedStart(env);
      expect(refused.code).toBe(78); // EX_CONFIG, as a bad setting
      expect(refused.output).toContain(`read-models.current holds "${pointed}"`);
      expect(refused.output).not.toContain('listening on');
    }
    expect(existsSync(join(dataDir, '..', 'outside.sqlite'))).toBe(false);
    const log = new Database(eventLog, { readonly: true });
    const tables = log.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    log.close();
    expect(tables).not.toContain('documents');
    expect(tables).not.toContain('projection_checkpoints');
  }, 90_000);
});
