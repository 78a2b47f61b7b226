/**
 * Hostile query values and bodies on the read side, on the real HTTP server:
 * numbers out of range, prototype keys, and the router's 404 for a path that
 * holds a secret. Each answer is a 4xx problem that changes nothing.
 */
import { get, post } from '../support/http';
import { seedHistory } from '../support/seed-history';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { authorization: `Bearer ${TEST_SECRETS.adminApiKey}` };

/** Every GET route that takes query parameters, with the scope it needs. */
const ROUTES: readonly { path: string; headers: Record<string, string> }[] = [
  { path: '/referrals', headers: read },
  { path: '/campaigns', headers: read },
  { path: '/campaigns/growsurf/ct8f71/ct8f71', headers: read },
  { path: '/campaigns/growsurf/ct8f71/ct8f71/leaderboard', headers: read },
  { path: '/participants?email=referrer@example.com', headers: read },
  { path: '/participants/growsurf/ct8f71/x9a7uu', headers: read },
  { path: '/participants/growsurf/ct8f71/x9a7uu/rewards', headers: read },
  { path: '/participants/growsurf/ct8f71/x9a7uu/history', headers: read },
  { path: '/participants/growsurf/ct8f71/x9a7uu/explain', headers: read },
  { path: '/review-requests/e2e-instance-1', headers: read },
  { path: '/projections/not-understood', headers: admin },
];

const withQuery = (path: string, query: string): string =>
  `${path}${path.includes('?') ? '&' : '?'}${query}`;

describe('hostile query values and bodies', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp();
    for (const { delivery } of seedHistory())
      expect((await post(app.url, delivery)).status).toBe(200);
  });
  afterAll(() => app.dispose());

  const OUT_OF_RANGE: readonly [string, string][] = [
    ['offset', '1e19'],
    ['offset', '1e25'],
    ['offset', '1e300'],
    ['offset', '9223372036854775808'],
    ['offset', '0x10'],
    ['offset', '-1'],
    ['offset', '1.5'],
    ['limit', '1e2'],
    ['limit', '201'],
    ['waitMs', '1e3'],
    ['atPosition', '9999999999999999999'],
    ['atPosition', '1e3'],
  ];

  it.each(OUT_OF_RANGE)(
    'refuses %s=%s with a 400 naming it, on every route',
    async (name, value) => {
      for (const route of ROUTES) {
        const answer = await get(app.url, withQuery(route.path, `${name}=${value}`), route.headers);
        expect({ route: route.path, status: answer.status }).toEqual({
          route: route.path,
          status: 400,
        });
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect(String(answer.body.detail)).toContain(name);
      }
    },
  );

  it('still serves in-range values given in plain digits', async () => {
    for (const route of ROUTES) {
      const paging = 'offset=1000000000&limit=200';
      const query = route.path.startsWith('/projections/')
        ? paging
        : `${paging}&waitMs=0&atPosition=1`;
      const answer = await get(app.url, withQuery(route.path, query), route.headers);
      expect({ route: route.path, status: answer.status }).toEqual({
        route: route.path,
        status: 200,
      });
    }
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses the query key %s on every route',
    async (key) => {
      for (const route of ROUTES) {
        const answer = await get(app.url, withQuery(route.path, `${key}=1`), route.headers);
        expect({ route: route.path, status: answer.status }).toEqual({
          route: route.path,
          status: 400,
        });
      }
    },
  );

  it('refuses a rebuild request with a prototype key and starts nothing', async () => {
    const before = await get(app.url, '/projections/status', admin);
    const answer = await fetch(`${app.url}/projections/rebuild`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{"__proto__":{"projections":["ledger"]}}',
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('__proto__');
    const after = await get(app.url, '/projections/status', admin);
    expect(after.body.rebuild ?? null).toEqual(before.body.rebuild ?? null);
  });

  it("never repeats a Refir webhook path (its token is a secret) in the router's 404", async () => {
    const token = TEST_SECRETS.refirToken;
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const answer = await fetch(`${app.url}/webhooks/refir/${token}`, { method });
      expect(answer.status).toBe(404);
      expect(await answer.text()).not.toContain(token);
    }
    const extra = await fetch(`${app.url}/webhooks/refir/${token}/extra`, { method: 'POST' });
    expect(extra.status).toBe(404);
    expect(await extra.text()).not.toContain(token);
  });
});
