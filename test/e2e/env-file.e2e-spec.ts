/**
 * The service process (src/main.ts, as `npm start` runs it) and the send command read `.env`
 * from their working directory, the process environment winning, and never print a value.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { growsurfDelivery } from '../support/deliveries';
import { post } from '../support/http';
import { freePort } from '../support/spawn-service';
import { fromSourceArgs } from '../support/transpile-cache';

const root = join(__dirname, '..', '..');
const FILE_SECRET = 'growsurf-secret-from-the-env-file';
const FILE_READ_KEY = 'read-key-from-the-env-file-0123';
const ENV_READ_KEY = 'read-key-from-the-environment-01';
const FIXTURE = join(
  root,
  'src/providers/growsurf/fixtures/participant-reached-goal-referrer.json',
);

interface Child {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

function start(cwd: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, fromSourceArgs(join(root, 'src', 'main.ts')), {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, output: () => output };
}

async function ready(url: string, service: Child): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`exited early:\n${service.output()}`);
    const answer = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (answer?.ok === true) return;
    if (Date.now() > deadline) throw new Error(`not ready in 30 s:\n${service.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('.env read at start', () => {
  let dir: string;
  let service: Child | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'referral-ledger-env-file-'));
  });
  afterEach(async () => {
    if (service !== undefined && service.child.exitCode === null) {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    service = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the service and the send command what the environment lacks; the environment wins; no value is printed', async () => {
    const port = await freePort();
    writeFileSync(
      join(dir, '.env'),
      [
        '# settings of this test',
        `GROWSURF_WEBHOOK_SECRET=${FILE_SECRET}`,
        `API_READ_KEYS=${FILE_READ_KEY}`,
        `PORT=${port}`,
        'HOST=127.0.0.1',
        `DATA_DIR=${join(dir, 'data')}`,
        'LOG_LEVEL=log',
      ].join('\n'),
    );
    // The environment sets the read key too: its value must win over the file's.
    service = start(dir, { API_READ_KEYS: ENV_READ_KEY });
    const url = `http://127.0.0.1:${port}`;
    await ready(url, service);

    // Signed with the file's secret: GrowSurf is configured only through .env (503 otherwise).
    const recorded = await post(
      url,
      growsurfDelivery(readFileSync(FIXTURE, 'utf8'), { secret: FILE_SECRET }),
    );
    expect(recorded.status).toBe(200);

    // Read models follow the log on their own thread: ask for this delivery's position.
    const participant = `${url}/participants/growsurf/ct8f71/x9a7uu?atPosition=${String(recorded.body.position)}`;
    const withEnvKey = await fetch(participant, {
      headers: { authorization: `Bearer ${ENV_READ_KEY}` },
    });
    expect(withEnvKey.status).toBe(200);
    const withFileKey = await fetch(participant, {
      headers: { authorization: `Bearer ${FILE_READ_KEY}` },
    });
    expect(withFileKey.status).toBe(401);

    // send, from the same directory and with an empty environment, finds the secret and the
    // service's port in .env too.
    const sent = await promisify(execFile)(
      process.execPath,
      [...fromSourceArgs(join(root, 'src', 'cli', 'send.ts')), 'growsurf', FIXTURE],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
    );
    expect(sent.stdout).toContain('POST /webhooks/growsurf -> 200');
    expect(sent.stdout).toContain('"status":"duplicate"');

    expect(service.output()).toContain(`settings read from ${join(dir, '.env')}`);
    expect(service.output()).toContain('API_READ_KEYS');
    for (const secret of [FILE_SECRET, FILE_READ_KEY, ENV_READ_KEY])
      expect(service.output()).not.toContain(secret);
  }, 60_000);

  it('refuses to start, exit code 78, when the file ENV_FILE names does not exist', async () => {
    service = start(dir, { ENV_FILE: 'absent.env', DATA_DIR: join(dir, 'data') });
    expect(await service.exited).toBe(78);
    expect(service.output()).toContain(`ENV_FILE: ${join(dir, 'absent.env')} does not exist`);
  }, 30_000);
});
