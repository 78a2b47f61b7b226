/**
 * Whether the service can do its job right now, and if not, why: one sentence
 * per cause. Pure: the controller gathers the facts, this judges them.
 */
import type { EventStore } from '../event-store/event-store.port';
import type { ProjectionStatus } from '../read-models/projection-runner';
import type { AppendsFailing } from './store-health';

export interface HealthReport {
  readonly status: 'ok' | 'unavailable';
  readonly eventStore: {
    readonly kind: EventStore['kind'];
    /** The store answers a read. */
    readonly ready: boolean;
    /** Present while appends fail. */
    readonly appendsFailing?: AppendsFailing;
  };
  readonly projections: {
    /** Every live projection follows the log (or is held for its rebuild). */
    readonly ready: boolean;
    readonly states: Readonly<Record<string, ProjectionStatus['state']>>;
  };
  /** Why the service is not ready; empty when it is. */
  readonly causes: readonly string[];
}

const FOLLOWING = new Set<ProjectionStatus['state']>(['running', 'held']);

export function judgeHealth(facts: {
  readonly kind: EventStore['kind'];
  readonly pinged: boolean;
  readonly appendsFailing: AppendsFailing | undefined;
  /** Or why their status could not be read. */
  readonly projections: readonly ProjectionStatus[] | { readonly unknown: string };
}): HealthReport {
  const causes: string[] = [];
  if (!facts.pinged) causes.push(`the event store (${facts.kind}) does not answer`);
  const failing = facts.appendsFailing;
  if (failing !== undefined) {
    causes.push(
      `appends to the event store fail since ${failing.since} (${failing.failures} so far): ${failing.lastError}`,
    );
  }
  const states: Record<string, ProjectionStatus['state']> = {};
  const listed = 'unknown' in facts.projections ? [] : facts.projections;
  if ('unknown' in facts.projections)
    causes.push(`the projections' status cannot be read: ${facts.projections.unknown}`);
  for (const projection of listed) {
    states[projection.projection] = projection.state;
    if (FOLLOWING.has(projection.state)) continue;
    const retry = projection.retry;
    causes.push(
      retry === undefined
        ? `projection ${projection.projection} is ${projection.state}`
        : `projection ${projection.projection} is retrying since ${retry.since} (${retry.attempts} attempts, next at ${retry.nextAttemptAt}): ${retry.lastError}`,
    );
  }
  const projectionsReady =
    !('unknown' in facts.projections) && listed.every((p) => FOLLOWING.has(p.state));
  return {
    status: causes.length === 0 ? 'ok' : 'unavailable',
    eventStore: {
      kind: facts.kind,
      ready: facts.pinged,
      ...(failing === undefined ? {} : { appendsFailing: failing }),
    },
    projections: { ready: projectionsReady, states },
    causes,
  };
}
