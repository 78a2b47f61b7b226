/**
 * The OpenAPI document is complete and true: every route is in it with a
 * success schema and its problem+json answers, and real answers of the
 * running service validate against the schemas it documents.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { get, post } from '../support/http';
import { seedHistory } from '../support/seed-history';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
const admin = { 'x-api-key': TEST_SECRETS.adminApiKey };

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
  security?: Record<string, unknown>[];
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, object>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

const OPERATIONS = [
  'get /campaigns',
  'get /campaigns/{provider}/{tenant}/{id}',
  'get /campaigns/{provider}/{tenant}/{id}/leaderboard',
  'get /campaigns/{provider}/{tenant}/{id}/referrals-by-day',
  'get /events/{eventId}',
  'get /events/{eventId}/verification',
  'get /health',
  'get /health/ready',
  'get /metrics',
  'get /participants',
  'get /participants/{provider}/{tenant}/{id}',
  'get /participants/{provider}/{tenant}/{id}/explain',
  'get /participants/{provider}/{tenant}/{id}/history',
  'get /participants/{provider}/{tenant}/{id}/rewards',
  'get /projections/not-understood',
  'get /projections/status',
  'post /projections/rebuild',
  'get /referrals',
  'get /review-requests/{instanceId}',
  'get /review-requests/{instanceId}/{id}',
  'get /subjects/export',
  'post /subjects/erase',
  'post /webhooks/growsurf',
  'post /webhooks/refir/{token}',
  'post /webhooks/standard/{source}',
  'post /webhooks/talkable',
  'post /webhooks/wix',
];

describe('the OpenAPI document', () => {
  let app: RunningApp;
  let doc: OpenApiDocument;
  let position = '0';
  let eventId = '';
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });

  beforeAll(async () => {
    // With a subject key store: deliveries sealed, answers revealed, the subjects routes answering.
    app = await startApp({ env: { SUBJECT_MASTER_KEY: Buffer.alloc(32, 1).toString('hex') } });
    for (const { delivery } of seedHistory()) {
      const answer = await post(app.url, delivery);
      position = String(answer.body.position);
      eventId = String(answer.body.eventId);
    }
    doc = (await get(app.url, '/docs-json')).body as unknown as OpenApiDocument;
    ajv.addSchema(doc.components.schemas.Problem!, '#/components/schemas/Problem');
  });
  afterAll(() => app.dispose());

  const operations = (): string[] =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
  const operation = (name: string): Operation => {
    const [method, path] = name.split(' ') as [string, string];
    return doc.paths[path]![method]!;
  };

  it('lists every route of the service', () => {
    expect(operations().sort()).toEqual([...OPERATIONS].sort());
  });

  it.each(OPERATIONS)('%s documents its success schema and its problem+json answers', (name) => {
    const responses = operation(name).responses;
    const success = Object.entries(responses).filter(([status]) => status.startsWith('2'));
    expect(success.length).toBeGreaterThan(0);
    // /metrics answers Prometheus' text format; every other success is JSON.
    const media = name === 'get /metrics' ? 'text/plain' : 'application/json';
    for (const [, response] of success) expect(response.content?.[media]?.schema).toBeDefined();
    const problems = Object.entries(responses).filter(([status]) => /^[45]/.test(status));
    // Liveness never fails; readiness answers its report, 503 or not.
    if (name.startsWith('get /health')) return;
    expect(problems.length).toBeGreaterThan(0);
    for (const [, response] of problems) {
      expect(response.content?.['application/problem+json']?.schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
    }
  });

  it('describes the API keys as they are: an opaque bearer token or x-api-key', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes.bearer).not.toHaveProperty('bearerFormat');
    expect(schemes['x-api-key']).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(operation('get /referrals').security).toEqual(
      expect.arrayContaining([{ bearer: [] }, { 'x-api-key': [] }]),
    );
  });

  it('types every numeric query parameter with its bounds', () => {
    const parameters = (
      doc.paths['/referrals']!.get as unknown as {
        parameters: { name: string; schema?: Record<string, unknown> }[];
      }
    ).parameters;
    const byName = new Map(parameters.map((p) => [p.name, p.schema]));
    expect(byName.get('limit')).toMatchObject({ type: 'integer', minimum: 1, maximum: 200 });
    expect(byName.get('offset')).toMatchObject({ type: 'integer', minimum: 0 });
    expect(byName.get('waitMs')).toMatchObject({ type: 'integer', maximum: 10000 });
    expect(byName.get('atPosition')).toMatchObject({ type: 'string' });
  });

  const validator = (name: string, status: string): ValidateFunction => {
    const response = operation(name).responses[status]!;
    const content =
      response.content?.['application/json'] ?? response.content?.['application/problem+json'];
    return ajv.compile(content!.schema!);
  };

  const SAMPLES: readonly [string, string, Record<string, string>][] = [
    ['get /campaigns', '/campaigns', read],
    ['get /campaigns/{provider}/{tenant}/{id}', '/campaigns/growsurf/ct8f71/ct8f71', read],
    [
      'get /campaigns/{provider}/{tenant}/{id}/leaderboard',
      '/campaigns/growsurf/ct8f71/ct8f71/leaderboard',
      read,
    ],
    [
      'get /campaigns/{provider}/{tenant}/{id}/referrals-by-day',
      '/campaigns/growsurf/ct8f71/ct8f71/referrals-by-day',
      read,
    ],
    ['get /participants', '/participants?email=referrer@example.com', read],
    ['get /participants/{provider}/{tenant}/{id}', '/participants/growsurf/ct8f71/x9a7uu', read],
    [
      'get /participants/{provider}/{tenant}/{id}',
      '/participants/talkable/test-site/referrer@example.com',
      read,
    ],
    [
      'get /participants/{provider}/{tenant}/{id}/explain',
      '/participants/growsurf/ct8f71/x9a7uu/explain',
      read,
    ],
    [
      'get /participants/{provider}/{tenant}/{id}/history',
      '/participants/growsurf/ct8f71/x9a7uu/history',
      read,
    ],
    [
      'get /participants/{provider}/{tenant}/{id}/rewards',
      '/participants/growsurf/ct8f71/x9a7uu/rewards',
      read,
    ],
    ['get /referrals', '/referrals', read],
    ['get /review-requests/{instanceId}', '/review-requests/e2e-instance-1', read],
    ['get /projections/status', '/projections/status', admin],
    ['get /projections/not-understood', '/projections/not-understood', admin],
    ['get /health', '/health', {}],
    ['get /health/ready', '/health/ready', {}],
  ];

  it.each(SAMPLES)('a real answer of %s (%s) matches its schema', async (name, path, headers) => {
    // Read routes wait for the seeded history; operations routes take no atPosition.
    const consistent = !path.startsWith('/health') && !path.startsWith('/projections');
    const url = consistent
      ? `${path}${path.includes('?') ? '&' : '?'}atPosition=${position}`
      : path;
    const answer = await get(app.url, url, headers);
    expect(answer.status).toBe(200);
    const validate = validator(name, '200');
    expect({ valid: validate(answer.body), errors: validate.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
  });

  it('a stored delivery, its re-verification and a review request match their schemas', async () => {
    const stored = await get(app.url, `/events/${eventId}`, admin);
    expect(stored.status).toBe(200);
    const storedValid = validator('get /events/{eventId}', '200');
    expect(storedValid(stored.body)).toBe(true);
    const verified = await get(app.url, `/events/${eventId}/verification`, admin);
    const verifiedValid = validator('get /events/{eventId}/verification', '200');
    expect({ valid: verifiedValid(verified.body), errors: verifiedValid.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
    const list = await get(app.url, '/review-requests/e2e-instance-1', read);
    const first = (list.body.items as { reviewRequestId: string }[])[0]!;
    const one = await get(
      app.url,
      `/review-requests/e2e-instance-1/${first.reviewRequestId}`,
      read,
    );
    const oneValid = validator('get /review-requests/{instanceId}/{id}', '200');
    expect({ valid: oneValid(one.body), errors: oneValid.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
  });

  it('/metrics is documented as the admin-key text answer it gives', async () => {
    expect(operation('get /metrics').security).toEqual(
      expect.arrayContaining([{ bearer: [] }, { 'x-api-key': [] }]),
    );
    const scraped = await fetch(`${app.url}/metrics`, { headers: admin });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
    const refused = await get(app.url, '/metrics', read);
    expect(refused.status).toBe(403);
    expect(validator('get /metrics', '403')(refused.body)).toBe(true);
  });

  it('an export and an erasure match their schemas (the erasure last: it forgets a seeded person)', async () => {
    const exported = await get(app.url, '/subjects/export?email=referrer@example.com', admin);
    expect(exported.status).toBe(200);
    expect((exported.body.deliveries as unknown[]).length).toBeGreaterThan(0);
    const exportValid = validator('get /subjects/export', '200');
    expect({ valid: exportValid(exported.body), errors: exportValid.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
    const erased = await post(app.url, {
      path: '/subjects/erase',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'growsurf', participantId: 'p88y0a' }),
    });
    expect(erased.status).toBe(200);
    const eraseValid = validator('post /subjects/erase', '200');
    expect({ valid: eraseValid(erased.body), errors: eraseValid.errors ?? null }).toEqual({
      valid: true,
      errors: null,
    });
    const refused = await post(app.url, {
      path: '/subjects/erase',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not an email' }),
    });
    expect(refused.status).toBe(400);
    expect(validator('post /subjects/erase', '400')(refused.body)).toBe(true);
  });

  it('a webhook answer and a refusal match their schemas', async () => {
    const first = seedHistory()[0];
    if (first === undefined) throw new Error('the seed history is empty');
    const answer = await post(app.url, first.delivery);
    expect(answer.status).toBe(200);
    expect(validator('post /webhooks/growsurf', '200')(answer.body)).toBe(true);
    const refused = await get(app.url, '/referrals?offset=1e25', read);
    expect(refused.status).toBe(400);
    expect(validator('get /referrals', '400')(refused.body)).toBe(true);
  });
});
