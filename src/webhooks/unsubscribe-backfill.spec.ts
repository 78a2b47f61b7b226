import { StoreUnavailableError } from '../event-store/event-store.errors';
import { retryUntilDone } from './unsubscribe-backfill';
import type { BackfillResult } from './unsubscribes-from-log';

const options = (lines: string[]) => ({
  firstRetryMs: 5,
  maxRetryMs: 20,
  log: (line: string, failed: boolean) => lines.push(`${failed ? 'warn' : 'log'}: ${line}`),
});

describe('the unsubscribe backfill at start', () => {
  it('retries while the store is unreachable, logging once per cause, and then succeeds', async () => {
    const lines: string[] = [];
    let calls = 0;
    const run = async (): Promise<BackfillResult> => {
      calls += 1;
      if (calls <= 4) throw new StoreUnavailableError('connect ECONNREFUSED 127.0.0.1:2113');
      return { unsubscribes: 3, upTo: 42n };
    };
    const running = retryUntilDone(run, options(lines));
    expect(await running.done).toEqual({ unsubscribes: 3, upTo: 42n });
    expect(calls).toBe(5);
    expect(lines).toEqual([
      'warn: unsubscribe marker backfill failed, retrying with backoff: connect ECONNREFUSED 127.0.0.1:2113',
      'log: unsubscribe markers backfilled: 3 unsubscribes up to position 42',
    ]);
  });

  it('stops retrying once stopped', async () => {
    let calls = 0;
    const running = retryUntilDone(async () => {
      calls += 1;
      throw new StoreUnavailableError('down');
    }, options([]));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await running.stop();
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(calls).toBe(after);
    expect(await running.done).toBeUndefined();
  });

  it('logs nothing when there was nothing to backfill', async () => {
    const lines: string[] = [];
    const running = retryUntilDone(async () => ({ unsubscribes: 0, upTo: 7n }), options(lines));
    await running.done;
    expect(lines).toEqual([]);
  });
});
