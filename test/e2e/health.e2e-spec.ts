import { get } from '../support/http';
import { startApp, type RunningApp } from '../support/start-app';

describe('health and the HTTP surface', () => {
  let app: RunningApp;
  beforeAll(async () => (app = await startApp()));
  afterAll(() => app.dispose());

  it('reports liveness and that the embedded event store answers', async () => {
    const answer = await get(app.url, '/health');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'ok',
      eventStore: { kind: 'sqlite', ready: true },
      projections: {
        ready: true,
        states: { ledger: 'running', 'review-requests': 'running', unsubscribes: 'running' },
      },
      causes: [],
    });
  });

  it('reports readiness with 200 while the event store answers and the projections follow it', async () => {
    expect((await get(app.url, '/health/ready')).status).toBe(200);
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const answer = await get(app.url, '/no-such-thing');
    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('serves the OpenAPI document', async () => {
    const answer = await get(app.url, '/docs-json');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ info: { title: 'referral-ledger' } });
  });
});
