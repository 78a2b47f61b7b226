/**
 * Runs in its own process so that load generation and the server under test
 * do not share an event loop. The requests come from a file (one JSON object
 * a line: {method?, path, headers, body?}), or, for `growsurf:<tag>`, are
 * made here: unique signed GrowSurf deliveries (the secret in
 * BENCH_GROWSURF_SECRET), built before the clock starts. With a duration the
 * pass runs for that long (a file's requests cycle); without one each file
 * request is sent exactly once. Prints autocannon's figures as one JSON line.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { growsurfRewardFactory, type PreparedRequest } from './ingest-deliveries';

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
  /** Requests made while the clock ran, because the ones prepared ran out (generated sources). */
  madeDuringRun?: number;
}

/** Prepared ahead for this rate; past it, deliveries are still unique but made on the clock. */
const PREPARED_PER_SECOND = 9_000;

function source(
  spec: string,
  seconds: number | undefined,
): { next: () => PreparedRequest; amount?: number; madeDuringRun: () => number } {
  if (spec.startsWith('growsurf:')) {
    const secret = process.env.BENCH_GROWSURF_SECRET;
    if (secret === undefined || seconds === undefined)
      throw new Error('growsurf:<tag> needs BENCH_GROWSURF_SECRET and a duration');
    const make = growsurfRewardFactory(secret, spec.slice('growsurf:'.length));
    const prepared = Array.from({ length: Math.ceil(seconds * PREPARED_PER_SECOND) }, (_, n) =>
      make(n),
    );
    let n = 0;
    return {
      next: () => {
        const item = prepared[n] ?? make(n);
        n++;
        return item;
      },
      madeDuringRun: () => Math.max(0, n - prepared.length),
    };
  }
  const requests = readFileSync(spec, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as PreparedRequest);
  let n = 0;
  return {
    next: () => requests[n++ % requests.length]!,
    ...(seconds === undefined ? { amount: requests.length } : {}),
    madeDuringRun: () => 0,
  };
}

async function main(): Promise<void> {
  const [url, spec, connectionsArg, durationArg] = process.argv.slice(2);
  if (url === undefined || spec === undefined)
    throw new Error('usage: load-generator <url> <file | growsurf:tag> [connections] [seconds]');
  const duration = durationArg === undefined ? undefined : Number(durationArg);
  const requests = source(spec, duration);
  const result = await autocannon({
    url,
    connections: Number(connectionsArg ?? 64),
    ...(duration === undefined ? { amount: requests.amount } : { duration }),
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const item = requests.next();
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
    madeDuringRun: requests.madeDuringRun(),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
