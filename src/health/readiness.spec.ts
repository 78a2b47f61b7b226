import type { ProjectionStatus } from '../read-models/projection-runner';
import { judgeHealth } from './readiness';

function projection(name: string, state: ProjectionStatus['state']): ProjectionStatus {
  return {
    projection: name,
    version: 1,
    checkpoint: 10n,
    handled: 10n,
    notUnderstood: 0n,
    failed: 0n,
    errors: [],
    state,
    ...(state === 'retrying'
      ? {
          retry: {
            since: '2026-01-01T00:00:00.000Z',
            attempts: 7,
            lastError: 'database or disk is full',
            nextAttemptAt: '2026-01-01T00:00:09.000Z',
          },
        }
      : {}),
  };
}

const healthy = {
  kind: 'sqlite' as const,
  pinged: true,
  appendsFailing: undefined,
  projections: [projection('ledger', 'running'), projection('reviews', 'held')],
};

describe('judgeHealth', () => {
  it('is ready while the store answers, appends succeed and every projection follows the log or is held', () => {
    expect(judgeHealth(healthy)).toMatchObject({ status: 'ok', causes: [] });
  });

  it('names each cause: a store that does not answer, failing appends, a projection retrying or stopped', () => {
    const report = judgeHealth({
      kind: 'eventstoredb',
      pinged: false,
      appendsFailing: {
        since: '2026-01-01T00:00:00.000Z',
        lastFailureAt: '2026-01-01T00:00:05.000Z',
        failures: 12,
        lastError: 'connect ECONNREFUSED',
      },
      projections: [projection('ledger', 'retrying'), projection('reviews', 'stopped')],
    });
    expect(report.status).toBe('unavailable');
    expect(report.projections).toEqual({
      ready: false,
      states: { ledger: 'retrying', reviews: 'stopped' },
    });
    expect(report.causes).toEqual([
      'the event store (eventstoredb) does not answer',
      'appends to the event store fail since 2026-01-01T00:00:00.000Z (12 so far): connect ECONNREFUSED',
      'projection ledger is retrying since 2026-01-01T00:00:00.000Z (7 attempts, next at 2026-01-01T00:00:09.000Z): database or disk is full',
      'projection reviews is stopped',
    ]);
  });

  it('is not ready when the projections cannot say how they are', () => {
    const report = judgeHealth({ ...healthy, projections: { unknown: 'disk I/O error' } });
    expect(report.causes).toEqual(["the projections' status cannot be read: disk I/O error"]);
    expect(report.projections.ready).toBe(false);
  });
});
