import { InvalidRequest, NotFound, PositionNotReached } from '../ledger/errors';
import type { Erasure } from '../erasure/erasure.service';
import type { LiveProjections } from '../read-models/live-projections';
import type { ReadModels } from '../read-models/read-models';
import { ConsistentReads, found } from './consistent-reads';
import { ConsistencyQuery } from './query-params';

/** Without SUBJECT_MASTER_KEY: nothing to reveal. */
const NO_KEYS = { keys: undefined } as unknown as Erasure;

/** Live projections that reach `head` and no further; records what was waited for. */
function projectionsAt(head: bigint, erasure: Erasure = NO_KEYS) {
  const readModels = { name: 'the live read models' } as unknown as ReadModels;
  const waits: { position: bigint; timeoutMs: number }[] = [];
  const projections = {
    current: { readModels },
    waitForPosition: (position: bigint, timeoutMs: number) => {
      waits.push({ position, timeoutMs });
      return Promise.resolve(position <= head);
    },
  } as unknown as LiveProjections;
  return { reads: new ConsistentReads(projections, erasure), readModels, waits };
}

describe('consistent reads', () => {
  it('reads the live read models at once when no atPosition is given', async () => {
    const { reads, readModels, waits } = projectionsAt(0n);
    const answer = await reads.answer(ConsistencyQuery, {}, (models, query) => ({ models, query }));
    expect(answer.models).toBe(readModels);
    expect(waits).toEqual([]);
  });

  it('reads only once the read models have reached atPosition, waiting waitMs at most', async () => {
    const { reads, waits } = projectionsAt(10n);
    const answer = await reads.answer(
      ConsistencyQuery,
      { atPosition: '7', waitMs: '300', limit: '5' },
      (_models, query) => query.limit,
    );
    expect(answer).toBe(5);
    expect(waits).toEqual([{ position: 7n, timeoutMs: 300 }]);
  });

  it('waits 2 s by default', async () => {
    const { reads, waits } = projectionsAt(10n);
    await reads.answer(ConsistencyQuery, { atPosition: '7' }, () => undefined);
    expect(waits).toEqual([{ position: 7n, timeoutMs: 2_000 }]);
  });

  it('answers PositionNotReached (503, Retry-After 1) without reading when the position is not reached in time', async () => {
    const { reads } = projectionsAt(10n);
    const read = jest.fn();
    const refusal = reads.answer(ConsistencyQuery, { atPosition: '11', waitMs: '50' }, read);
    await expect(refusal).rejects.toThrow(PositionNotReached);
    await expect(refusal).rejects.toMatchObject({
      status: 503,
      retryAfterSeconds: 1,
      detail: 'the read models have not reached log position 11 within 50 ms; retry',
    });
    expect(read).not.toHaveBeenCalled();
  });

  it('refuses invalid query parameters before waiting', async () => {
    const { reads, waits } = projectionsAt(10n);
    await expect(
      reads.answer(ConsistencyQuery, { atPosition: '7', limit: '0' }, () => undefined),
    ).rejects.toThrow(InvalidRequest);
    expect(waits).toEqual([]);
  });

  it('shows the tokens of an answer as what they stand for while keys are held', async () => {
    const revealed: unknown[] = [];
    const erasure = {
      keys: {},
      reveal: (value: unknown) => {
        revealed.push(value);
        return { email: 'ann@example.com' };
      },
    } as unknown as Erasure;
    const { reads } = projectionsAt(0n, erasure);
    const answer = await reads.answer(ConsistencyQuery, {}, () => ({ email: 'token' }));
    expect(answer).toEqual({ email: 'ann@example.com' });
    expect(revealed).toEqual([{ email: 'token' }]);
    // Only JSON answers are walked, as the RevealInterceptor does.
    await expect(reads.answer(ConsistencyQuery, {}, () => 'text')).resolves.toBe('text');
    expect(revealed).toHaveLength(1);
  });

  it('leaves answers as read without SUBJECT_MASTER_KEY', async () => {
    const { reads } = projectionsAt(0n);
    const body = { email: 'token' };
    await expect(reads.answer(ConsistencyQuery, {}, () => body)).resolves.toBe(body);
  });

  it('a read that found nothing is a 404 naming what is missing', () => {
    expect(found('a campaign', 'no campaign growsurf/a/b')).toBe('a campaign');
    expect(() => found(undefined, 'no campaign growsurf/a/b')).toThrow(
      new NotFound('no campaign growsurf/a/b'),
    );
  });
});
