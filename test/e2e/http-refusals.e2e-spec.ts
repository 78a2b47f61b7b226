/**
 * What the HTTP server answers before any route runs, on a real loopback
 * socket: problem+json, nothing of the request repeated, slow bodies cut off.
 */
import { connect } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/config/load-config';
import { HTTP_LIMITS } from '../../src/http/http-server';
import { makeDataDir, testEnv } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';
import { rmSync } from 'node:fs';

/** Sends bytes as written and returns what came back before the server closed (or `waitMs`). */
function exchange(port: number, request: string, waitMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const timer = setTimeout(() => socket.destroy(), waitMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

function parse(answer: string): {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
} {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // tests look at the status
  }
  return { status, contentType, body: parsed };
}

describe('the HTTP server refuses malformed requests itself', () => {
  let app: NestFastifyApplication;
  let port: number;
  const dataDir = makeDataDir();

  beforeAll(async () => {
    app = await createApp(loadConfig(testEnv(dataDir)), {
      httpLimits: {
        ...HTTP_LIMITS,
        requestTimeoutMs: 1_500,
        headersTimeoutMs: 1_500,
        checkIntervalMs: 250,
      },
    });
    await app.listen(0, '127.0.0.1');
    port = Number(new URL(await app.getUrl()).port);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const token = TEST_SECRETS.refirToken;
  const CASES: readonly [string, string, number][] = [
    [
      'a path parameter too long to route (a 300-character token)',
      `POST /webhooks/refir/${token}${'x'.repeat(300)} HTTP/1.1\r\nHost: l\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
      414,
    ],
    [
      'a URL that does not decode',
      `POST /webhooks/refir/${token}%zz HTTP/1.1\r\nHost: l\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      400,
    ],
    [
      'two Content-Length headers',
      `POST /webhooks/refir/${token} HTTP/1.1\r\nHost: l\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
      400,
    ],
    [
      'Content-Length and chunked together',
      `POST /webhooks/refir/${token} HTTP/1.1\r\nHost: l\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
    ],
    [
      'a bad chunk size',
      `POST /webhooks/refir/${token} HTTP/1.1\r\nHost: l\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      400,
    ],
    ['an unknown method', `BREW /webhooks/refir/${token} HTTP/1.1\r\nHost: l\r\n\r\n`, 400],
    ['a NUL in a header', `GET /health HTTP/1.1\r\nHost: l\r\nX-A: a\u0000b\r\n\r\n`, 400],
    [
      'headers past the size limit',
      `GET /webhooks/refir/${token} HTTP/1.1\r\nHost: l\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
      431,
    ],
  ];

  it.each(CASES)('answers %s with problem+json and no echo', async (_name, request, status) => {
    const answer = await exchange(port, request);
    const { status: got, contentType, body } = parse(answer);
    expect(got).toBe(status);
    expect(contentType).toContain('application/problem+json');
    expect(body.status).toBe(status);
    expect(answer).not.toContain(token);
  });

  it('cuts off a body that never finishes, with a 408', async () => {
    const started = Date.now();
    const answer = await exchange(
      port,
      `POST /webhooks/refir/${token} HTTP/1.1\r\nHost: l\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`,
      10_000,
    );
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(parse(answer).status).toBe(408);
  });
});
