import { get, post } from '../support/http';
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
  rebuild?: { state: string; fileName: string };
}

describe('rebuilding the read models while serving queries', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
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

  it('refuses a rebuild without the admin key', async () => {
    const answer = await post(app.url, {
      path: '/projections/rebuild',
      headers: { ...read, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status).toBe(403);
  });
});
