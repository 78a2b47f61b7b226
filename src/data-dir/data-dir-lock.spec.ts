import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataDirLocked, HOLDER_FILE, lockDataDir, LOCK_FILE } from './data-dir-lock';

const root = join(__dirname, '..', '..');
const dataDirLockModule = join(__dirname, 'data-dir-lock.ts');
const tsNode = ['-r', 'ts-node/register/transpile-only'];

/** Tries the lock from another process: the lock is the kernel's, per process. */
async function tryFromAnotherProcess(dataDir: string): Promise<string> {
  const script = `
    const { lockDataDir } = require(${JSON.stringify(dataDirLockModule)});
    try { lockDataDir(${JSON.stringify(dataDir)}, 'service'); console.log('acquired'); }
    catch (error) { console.log(error.message); }`;
  const { stdout } = await promisify(execFile)(process.execPath, [...tsNode, '-e', script], {
    cwd: root,
  });
  return stdout.trim();
}

describe('the DATA_DIR lock', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = join(mkdtempSync(join(tmpdir(), 'data-dir-lock-')), 'data')));
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('refuses a second holder, naming the pid, host and start of the first, until it is released', async () => {
    const first = lockDataDir(dataDir, 'service');
    expect(first.holder).toMatchObject({ pid: process.pid, host: hostname(), role: 'service' });
    let refusal: unknown;
    try {
      lockDataDir(dataDir, 'rebuild');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DataDirLocked);
    expect((refusal as Error).message).toContain(
      `the service with pid ${process.pid} on host ${hostname()}, running since ${first.holder.startedAt}`,
    );
    expect(await tryFromAnotherProcess(dataDir)).toContain(`pid ${process.pid}`);

    first.release();
    const second = lockDataDir(dataDir, 'rebuild');
    expect(JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8'))).toMatchObject({
      role: 'rebuild',
    });
    second.release();
  }, 30_000);

  it('is free again once its holder is killed with SIGKILL: no stale lock to take over', async () => {
    const script = `
      require(${JSON.stringify(dataDirLockModule)}).lockDataDir(${JSON.stringify(dataDir)}, 'service');
      console.log('locked'); setInterval(() => undefined, 1000);`;
    const holder = spawn(process.execPath, [...tsNode, '-e', script], { cwd: root });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
      holder.once('exit', () => reject(new Error('the holder exited early')));
    });
    expect(() => lockDataDir(dataDir, 'service')).toThrow(`pid ${String(holder.pid)}`);
    holder.removeAllListeners('exit');
    const gone = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await gone;
    const lock = lockDataDir(dataDir, 'service');
    expect(lock.holder.pid).toBe(process.pid);
    lock.release();
  }, 30_000);

  it('keeps its files private: the directory 0700, the lock and holder files 0600', () => {
    const lock = lockDataDir(dataDir, 'service');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, HOLDER_FILE)).mode & 0o777).toBe(0o600);
    lock.release();
  });
});
