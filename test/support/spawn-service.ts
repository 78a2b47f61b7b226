/**
 * Runs the service as a real child process (as `npm start` would, from
 * source), so that tests can send it signals, SIGKILL included. On an
 * EventStoreDB log the child connects to the emulator (or server) the test
 * runs, which outlives the child: what was acknowledged can be read back there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestLog } from './logs';
import { fromSourceArgs } from './transpile-cache';

export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /**
   * Sends `signal` and resolves with the exit code once the process is gone.
   * With `withinMs`, a process still running then is killed with SIGKILL and
   * the promise rejects: a graceful stop that hangs (a store whose close never
   * resolves) fails the test with that, not with a jest timeout.
   */
  kill(signal: NodeJS.Signals, withinMs?: number): Promise<number | null>;
}

const root = join(__dirname, '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface SpawnOptions {
  /** The log the child records to; `env` may also point it there (testEnv(dataDir, log)). */
  readonly log?: TestLog;
  readonly timeoutMs?: number;
}

export async function spawnService(
  env: Record<string, string>,
  options: SpawnOptions = {},
): Promise<ServiceProcess> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const port = await freePort();
  const child = spawn(process.execPath, fromSourceArgs(join(root, 'src', 'main.ts')), {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      // A developer's own .env in the checkout must not reach the service under test.
      ENV_FILE: '',
      ...options.log?.env(),
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not answer /health within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output: () => output,
    kill: async (signal, withinMs) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      if (withinMs === undefined) return exited;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), withinMs);
      });
      const outcome = await Promise.race([exited, late]).finally(() => clearTimeout(timer));
      if (outcome !== 'late') return outcome;
      child.kill('SIGKILL');
      await exited;
      throw new Error(`the service did not stop within ${withinMs} ms of ${signal}:\n${output}`);
    },
  };
}
