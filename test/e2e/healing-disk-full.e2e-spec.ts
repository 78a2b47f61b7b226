/**
 * A real full disk under load, on the embedded log: the data directory is a
 * small tmpfs of its own, filled with a ballast file while deliveries arrive,
 * then freed by deleting the ballast. Mounting needs root (as here) or
 * passwordless sudo (a GitHub runner); elsewhere the suite is skipped and says why.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { growsurfDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { get, post, type HttpAnswer } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';
import { eventually } from '../support/eventually';

const TMPFS_SIZE = '24m';

/** As root, or through passwordless sudo (a GitHub runner), owned by this process's user. */
function privileged(command: string, args: readonly string[]): void {
  const root = process.getuid?.() === 0;
  execFileSync(root ? command : 'sudo', root ? args : ['-n', command, ...args], { stdio: 'pipe' });
}

/** Mounts a tmpfs of its own, or says why it cannot. */
function mountTmpfs(): { dir: string } | { skipped: string } {
  const dir = mkdtempSync(join(tmpdir(), 'healing-disk-'));
  const owner = `uid=${process.getuid?.() ?? 0},gid=${process.getgid?.() ?? 0}`;
  try {
    privileged('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},${owner}`, 'tmpfs', dir]);
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { skipped: `a tmpfs cannot be mounted here (needs root or sudo -n): ${reason}` };
  }
}

function unmount(dir: string): void {
  try {
    privileged('umount', [dir]);
  } catch {
    privileged('umount', ['-l', dir]);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** Writes zeros until the file system refuses another byte. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

interface ProjectionState {
  readonly projection: string;
  readonly state: string;
  readonly checkpoint: string | null;
  readonly handled: string;
  readonly retry?: { readonly lastError: string };
}

const mounted = mountTmpfs();
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

if ('skipped' in mounted) {
  process.stderr.write(`healing disk-full e2e skipped: ${mounted.skipped}\n`);
}
const describeMounted = 'dir' in mounted ? describe : describe.skip;

describeMounted('a full disk under load, on the embedded log (tmpfs data directory)', () => {
  const dir = 'dir' in mounted ? mounted.dir : '';
  const ballast = join(dir, 'ballast');
  let app: RunningApp;
  let next = 0;
  const acknowledged = new Map<number, bigint>();

  beforeAll(async () => {
    app = await startApp({ dataDir: dir });
  });
  afterAll(async () => {
    await app?.stop();
    unmount(dir);
  });

  /** Sends `count` deliveries, 10 at a time; returns every answer. */
  async function deliver(count: number): Promise<HttpAnswer[]> {
    const answers: HttpAnswer[] = [];
    for (let sent = 0; sent < count; sent += 10) {
      const batch = Array.from({ length: Math.min(10, count - sent) }, () => next++);
      const results = await Promise.all(
        batch.map(async (n) => {
          const answer = await post(app.url, growsurfDelivery(uniqueGrowsurfReward(n)));
          if (answer.status === 200) acknowledged.set(n, BigInt(String(answer.body.position)));
          return answer;
        }),
      );
      answers.push(...results);
    }
    return answers;
  }

  it('answers 503 with Retry-After and a 503 readiness naming the cause; once space is freed, intake and projections recover without a restart', async () => {
    // 1. Room: everything is taken. 2. The disk filled: the log refuses. 3. A little room:
    // the log takes some, the read models run out. 4. Room again: both recover by themselves.
    expect((await deliver(40)).every((a) => a.status === 200)).toBe(true);
    expect((await get(app.url, '/health/ready')).status).toBe(200);

    fillDisk(ballast);
    expect(statfsSync(dir).bavail).toBeLessThan(2);
    // Under load, until the log refuses: SQLite first reuses the space its WAL already holds.
    let refused: HttpAnswer | undefined;
    for (let round = 0; round < 100 && refused === undefined; round += 1) {
      refused = (await deliver(20)).find((a) => a.status !== 200);
    }
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('5');

    const red = await get(app.url, '/health/ready');
    expect(red.status).toBe(503);
    expect(red.body.status).toBe('unavailable');
    expect((red.body.causes as string[]).join('\n')).toMatch(
      /appends to the event store fail.*full/,
    );
    // A little space back: the log takes some deliveries, the read models run out while projecting them.
    let retrying: ProjectionState | undefined;
    for (let round = 0; round < 40 && retrying === undefined; round += 1) {
      truncateSync(ballast, statSync(ballast).size - 128 * 1024);
      await deliver(20);
      const status = await get(app.url, '/projections/status', admin);
      retrying = (status.body.projections as ProjectionState[]).find((p) => p.state === 'retrying');
    }
    expect(retrying?.retry?.lastError).toMatch(/disk is full/);
    const stillRed = await get(app.url, '/health/ready');
    expect(stillRed.status).toBe(503);
    expect((stillRed.body.causes as string[]).join('\n')).toMatch(
      /projection \S+ is retrying since .*disk is full/,
    );

    rmSync(ballast);
    // Intake: the deliveries the provider retries are taken again.
    const after = await eventually(
      () => deliver(10),
      (answers) => answers.every((a) => a.status === 200),
      10_000,
    );
    expect(after.map((a) => a.status)).toEqual(Array(10).fill(200));
    const green = await eventually(
      () => get(app.url, '/health/ready'),
      (answer) => answer.status === 200,
      10_000,
    );
    expect(green.body).toMatchObject({ status: 'ok', causes: [] });

    // Projections: every acknowledged delivery projected exactly once, none refused one counted.
    const last = [...acknowledged.values()].reduce((a, b) => (a > b ? a : b));
    const projected = await eventually(
      () => get(app.url, '/projections/status', admin),
      (answer) =>
        (answer.body.projections as ProjectionState[]).every(
          (p) => p.checkpoint !== null && BigInt(p.checkpoint) >= last,
        ),
      10_000,
    );
    const projections = projected.body.projections as ProjectionState[];
    expect(projections.map((p) => p.state)).toEqual(['running', 'running', 'running']);
    expect(projections.find((p) => p.projection === 'ledger')?.handled).toBe(
      String(acknowledged.size),
    );
  }, 90_000);
});
