import { randomInt } from 'node:crypto';
import { growsurfDelivery, uniqueGrowsurfReward } from '../support/deliveries';
import { get, post } from '../support/http';
import { describeOnEachLog } from '../support/logs';
import { seedHistory } from '../support/seed-history';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

const QUERIES = [
  '/participants/growsurf/ct8f71/x9a7uu',
  '/participants/talkable/test-site/referrer@example.com',
  '/campaigns/growsurf/ct8f71/ct8f71/leaderboard',
  '/review-requests/e2e-instance-1',
];

interface RebuildStatus {
  live: string;
  projections: { projection: string; handled: string }[];
  rebuild?: { state: string; fileName: string; rebuilding: string[] };
}

const ownLog = {
  needsOwnLog: 'compares answers byte for byte, which other suites writing would change',
};

describeOnEachLog('rebuilding the read models while serving queries', ownLog, (log) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp({ log });
    let position = '0';
    for (const { delivery } of seedHistory())
      position = (await post(app.url, delivery)).body.position as string;
    await get(app.url, `/campaigns?atPosition=${position}`, read);
  });
  afterAll(() => app.dispose());

  it('serves every query during a rebuild and ends with the same answers', async () => {
    const before = await Promise.all(
      QUERIES.map(async (path) => (await get(app.url, path, read)).text),
    );
    const liveBefore = (
      (await get(app.url, '/projections/status', admin)).body as unknown as RebuildStatus
    ).live;
    const failures: string[] = [];
    let served = 0;
    let rebuilding = true;
    const load = Array.from({ length: 4 }, async (_, n) => {
      while (rebuilding) {
        const path = QUERIES[(served + n) % QUERIES.length]!;
        const answer = await get(app.url, path, read);
        served++;
        if (answer.status !== 200 || answer.text !== before[QUERIES.indexOf(path)]) {
          failures.push(`${path}: ${answer.status} ${answer.text.slice(0, 120)}`);
        }
      }
    });
    const started = await post(app.url, {
      path: '/projections/rebuild',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ state: 'building' });
    let status: RebuildStatus | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      status = (await get(app.url, '/projections/status', admin)).body as unknown as RebuildStatus;
      if (status.rebuild?.state !== 'building') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    rebuilding = false;
    await Promise.all(load);
    expect(status?.rebuild?.state).toBe('switched');
    expect(status?.live).not.toBe(liveBefore);
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(0);
    const after = await Promise.all(
      QUERIES.map(async (path) => (await get(app.url, path, read)).text),
    );
    expect(after).toEqual(before);
  });

  function handledBy(status: RebuildStatus, projection: string): string {
    const found = status.projections.find((p) => p.projection === projection);
    if (found === undefined) throw new Error(`no projection ${projection} in the status`);
    return found.handled;
  }

  async function statusOf(): Promise<RebuildStatus> {
    return (await get(app.url, '/projections/status', admin)).body as unknown as RebuildStatus;
  }

  async function untilSettled(): Promise<RebuildStatus> {
    const deadline = Date.now() + 20_000;
    let status = await statusOf();
    while (status.rebuild?.state === 'building' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = await statusOf();
    }
    return status;
  }

  it('rebuilds one projection by itself and carries the others over as they stand', async () => {
    const before = await Promise.all(
      QUERIES.map(async (path) => (await get(app.url, path, read)).text),
    );
    const statusBefore = await statusOf();
    const started = await post(app.url, {
      path: '/projections/rebuild',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ projections: ['review-requests'] }),
    });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ state: 'building', rebuilding: ['review-requests'] });
    const status = await untilSettled();
    expect(status.rebuild).toMatchObject({ state: 'switched', rebuilding: ['review-requests'] });
    expect(status.live).not.toBe(statusBefore.live);
    expect(status.projections.map((p) => [p.projection, p.handled])).toEqual(
      statusBefore.projections.map((p) => [p.projection, p.handled]),
    );
    const after = await Promise.all(
      QUERIES.map(async (path) => (await get(app.url, path, read)).text),
    );
    expect(after).toEqual(before);
  });

  it('keeps recording deliveries that arrive during a rebuild, and the new generation projects every one', async () => {
    const handledBefore = BigInt(handledBy(await statusOf(), 'ledger'));
    const base = randomInt(1, 2 ** 30) * 10_000;
    const refused: string[] = [];
    let acknowledged = 0;
    let lastPosition = 0n;
    let sent = 0;
    let writing = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const answer = await post(app.url, growsurfDelivery(uniqueGrowsurfReward(base + sent++)));
        if (answer.status !== 200 || answer.body.status !== 'recorded') {
          refused.push(`${answer.status} ${answer.text.slice(0, 120)}`);
          continue;
        }
        acknowledged++;
        const position = BigInt(answer.body.position as string);
        if (position > lastPosition) lastPosition = position;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = await post(app.url, {
      path: '/projections/rebuild',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(started.status).toBe(202);
    const status = await untilSettled();
    writing = false;
    await Promise.all(writers);
    expect(status.rebuild?.state).toBe('switched');
    expect(refused).toEqual([]);
    expect(acknowledged).toBeGreaterThan(0);
    const reached = await get(app.url, `/campaigns?atPosition=${lastPosition}&waitMs=5000`, read);
    expect(reached.status).toBe(200);
    expect(BigInt(handledBy(await statusOf(), 'ledger'))).toBe(
      handledBefore + BigInt(acknowledged),
    );
  });

  it.each([
    ['an unknown projection', { projections: ['ledger', 'nope'] }, /no projection named nope/],
    ['an empty list', { projections: [] }, /projections should not be empty/],
    ['a name that is not a list', { projections: 'ledger' }, /projections must be an array/],
    ['an unknown field', { everything: true }, /property everything should not exist/],
    ['a body that is not an object', ['ledger'], /must be a JSON object/],
    ['a body that is not JSON', '{"projections": [', /not JSON/],
  ])('refuses a rebuild of %s with 400 and changes nothing', async (_, body, message) => {
    const live = (await statusOf()).live;
    const answer = await post(app.url, {
      path: '/projections/rebuild',
      headers: { ...admin, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(message);
    const status = await statusOf();
    expect(status.live).toBe(live);
    expect(status.rebuild?.state).not.toBe('building');
  });

  it('refuses a rebuild without the admin key', async () => {
    const answer = await post(app.url, {
      path: '/projections/rebuild',
      headers: { ...read, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status).toBe(403);
  });
});
