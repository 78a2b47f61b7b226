/**
 * What /metrics shows, in Prometheus' text format. Counters and histograms
 * move as requests and commits happen; projection and rebuild gauges are read
 * from LiveProjections.status() at each scrape. One registry per application
 * (tests run several in a process); the process' own metrics (CPU, memory,
 * event-loop delay) are collected once per process and merged in.
 */
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type PrometheusContentType,
} from 'prom-client';
import type { EventStore } from '../event-store/event-store.port';
import type { LiveProjections, RebuildProgress } from '../read-models/live-projections';
import type { ProjectionStatus, RunnerState } from '../read-models/projection-runner';

export type DeliveryOutcome = 'recorded' | 'duplicate' | 'refused';

export const METRICS_CONTENT_TYPE: PrometheusContentType = Registry.PROMETHEUS_CONTENT_TYPE;

const RUNNER_STATES: readonly RunnerState[] = [
  'idle',
  'starting',
  'running',
  'retrying',
  'stopped',
  'held',
];
const REBUILD_STATES: readonly RebuildProgress['state'][] = ['building', 'switched', 'failed'];
const REBUILD_PHASES: readonly NonNullable<RebuildProgress['phase']>[] = [
  'copying',
  'projecting',
  'indexing',
  'catching-up',
];

/** Routes answered from the read models (the others read the log, or are operations). */
const QUERY_ROUTES =
  /^\/(participants|campaigns|referrals|review-requests|projections\/not-understood)(\/|$)/;

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface CommitObservable {
  onCommit(
    listener: (commit: { size: number; latenciesMs: readonly number[] }) => void,
  ): () => void;
}

type StatusSource = Pick<LiveProjections, 'status'>;

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class ServiceMetrics {
  private readonly registry = new Registry();
  private projections: StatusSource | undefined;
  private readonly deliveryCounters = new Map<string, { inc(): void }>();
  /** By route pattern (a bounded set): its histogram child, or null for routes not counted. */
  private readonly queryTimers = new Map<string, { observe(seconds: number): void } | null>();

  private readonly deliveries = new Counter({
    name: 'referral_ledger_webhook_deliveries_total',
    help: 'Webhook deliveries answered, by provider, outcome (recorded, duplicate, refused) and HTTP status',
    labelNames: ['provider', 'outcome', 'status'] as const,
    registers: [this.registry],
  });

  private readonly appendSeconds = new Histogram({
    name: 'referral_ledger_event_store_append_seconds',
    help: 'Time from an append to its durable commit (embedded log: queueing plus the group commit; EventStoreDB: the append call)',
    buckets: SECONDS,
    registers: [this.registry],
  });

  private readonly batchSize = new Histogram({
    name: 'referral_ledger_event_store_commit_batch_size',
    help: 'Appends carried by one group commit of the embedded log',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2000],
    registers: [this.registry],
  });

  private readonly querySeconds = new Histogram({
    name: 'referral_ledger_read_model_query_seconds',
    help: 'Time to answer a read-model query, by route pattern',
    labelNames: ['route'] as const,
    buckets: SECONDS,
    registers: [this.registry],
  });

  constructor() {
    // From the first app on, so that CPU, GC and event-loop figures cover the process' whole life.
    processMetrics();
    const perProjection = (
      name: string,
      help: string,
      value: (status: ProjectionStatus) => bigint | number | null | undefined,
      source: 'live' | 'rebuild' = 'live',
    ): void => {
      const gauge: Gauge<'projection'> = new Gauge({
        name,
        help,
        labelNames: ['projection'] as const,
        registers: [this.registry],
        collect: () => {
          gauge.reset();
          for (const status of this.statuses(source)) {
            const v = value(status);
            if (v !== null && v !== undefined)
              gauge.set({ projection: status.projection }, Number(v));
          }
        },
      });
    };
    perProjection(
      'referral_ledger_projection_checkpoint',
      'Last log position a projection applied (absent before its first event)',
      (s) => s.checkpoint,
    );
    perProjection(
      'referral_ledger_projection_lag_events',
      'Log positions between the head of the deliveries and the checkpoint',
      (s) => s.lag,
    );
    perProjection(
      'referral_ledger_projection_handled_events',
      'Events a projection handled (a running count kept with its checkpoint)',
      (s) => s.handled,
    );
    perProjection(
      'referral_ledger_projection_failed_events',
      'Events a projection could not handle (each also listed in /projections/status)',
      (s) => s.failed,
    );
    perProjection(
      'referral_ledger_projection_not_understood_events',
      'Events of a type a projection does not understand yet',
      (s) => s.notUnderstood,
    );
    const state: Gauge<'projection' | 'state'> = new Gauge({
      name: 'referral_ledger_projection_state',
      help: 'A projection runner state: 1 for the state it is in, 0 for the others',
      labelNames: ['projection', 'state'] as const,
      registers: [this.registry],
      collect: () => {
        state.reset();
        for (const status of this.statuses('live')) {
          for (const s of RUNNER_STATES)
            state.set({ projection: status.projection, state: s }, s === status.state ? 1 : 0);
        }
      },
    });
    const rebuild: Gauge<'state'> = new Gauge({
      name: 'referral_ledger_rebuild_state',
      help: 'The last rebuild: 1 for its state (building, switched, failed); absent when none ran',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect: () => {
        rebuild.reset();
        const progress = this.projections?.status().rebuild;
        if (progress === undefined) return;
        for (const s of REBUILD_STATES) rebuild.set({ state: s }, s === progress.state ? 1 : 0);
      },
    });
    const phase: Gauge<'phase'> = new Gauge({
      name: 'referral_ledger_rebuild_phase',
      help: 'While a rebuild builds: 1 for its phase (copying, projecting, indexing, catching-up)',
      labelNames: ['phase'] as const,
      registers: [this.registry],
      collect: () => {
        phase.reset();
        const progress = this.projections?.status().rebuild;
        if (progress?.state !== 'building') return;
        for (const p of REBUILD_PHASES) phase.set({ phase: p }, p === progress.phase ? 1 : 0);
      },
    });
    perProjection(
      'referral_ledger_rebuild_checkpoint',
      'While a rebuild builds: the log position each projection of the new generation reached',
      (s) => s.checkpoint,
      'rebuild',
    );
    perProjection(
      'referral_ledger_rebuild_lag_events',
      'While a rebuild builds: how far each projection of the new generation is behind the head',
      (s) => s.lag,
      'rebuild',
    );
  }

  /** Read at each scrape. */
  observeProjections(projections: StatusSource): void {
    this.projections = projections;
  }

  /** The embedded log tells each group commit; EventStoreDB has no batches of ours to count. */
  observeStore(store: EventStore): () => void {
    if (!isCommitObservable(store)) return () => undefined;
    return store.onCommit(({ size, latenciesMs }) => {
      this.batchSize.observe(size);
      for (const ms of latenciesMs) this.appendSeconds.observe(ms / 1000);
    });
  }

  /** An append answered by a log that reports no commits of its own (EventStoreDB). */
  appendTook(elapsedMs: number): void {
    this.appendSeconds.observe(elapsedMs / 1000);
  }

  delivery(provider: string, outcome: DeliveryOutcome, status: number): void {
    // One child per label set, found by a string key: cheaper than hashing labels per delivery.
    const key = `${provider} ${outcome} ${status}`;
    let child = this.deliveryCounters.get(key);
    if (child === undefined) {
      child = this.deliveries.labels(provider, outcome, String(status));
      this.deliveryCounters.set(key, child);
    }
    child.inc();
  }

  /**
   * Every GET answered: only the read-model routes are counted. The child of
   * each route pattern (or null: not a query route) is found once: prom-client
   * hashing the labels and the pattern test cost ~4 µs a lookup otherwise.
   */
  query(route: string, elapsedMs: number): void {
    let timer = this.queryTimers.get(route);
    if (timer === undefined) {
      timer = QUERY_ROUTES.test(route) ? this.querySeconds.labels(route) : null;
      this.queryTimers.set(route, timer);
    }
    timer?.observe(elapsedMs / 1000);
  }

  render(): Promise<string> {
    return Registry.merge([processMetrics(), this.registry]).metrics();
  }

  private statuses(source: 'live' | 'rebuild'): readonly ProjectionStatus[] {
    const status = this.projections?.status();
    if (status === undefined) return [];
    if (source === 'live') return status.projections;
    return status.rebuild?.state === 'building' ? status.rebuild.projections : [];
  }
}

function isCommitObservable(store: EventStore): store is EventStore & CommitObservable {
  return typeof (store as Partial<CommitObservable>).onCommit === 'function';
}
