/**
 * Runs in its own process so that load generation and the server under test
 * do not share an event loop. Reads prepared requests (one JSON object a line:
 * {path, headers, body}) and replays each exactly once over 64 connections,
 * then prints autocannon's figures as one JSON line.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/** The one JSON line this script prints. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

interface PreparedRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

async function main(): Promise<void> {
  const [url, file, connectionsArg, durationArg] = process.argv.slice(2);
  if (url === undefined || file === undefined)
    throw new Error('usage: load-generator <url> <file> [connections] [seconds]');
  const prepared = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as PreparedRequest);
  let next = 0;
  const connections = Number(connectionsArg ?? 64);
  const duration = durationArg === undefined ? undefined : Number(durationArg);
  const result = await autocannon({
    url,
    connections,
    // Unique deliveries: each prepared request is sent once, unless a duration
    // is given (the bare baseline), then they cycle.
    ...(duration === undefined ? { amount: prepared.length } : { duration }),
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const item = prepared[next++ % prepared.length]!;
          return {
            ...request,
            method: item.method ?? 'POST',
            path: item.path,
            headers: item.headers,
            body: item.body,
          };
        },
      },
    ],
  });
  const figures: LoadResult = {
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
