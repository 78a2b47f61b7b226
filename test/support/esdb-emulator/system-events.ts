/**
 * The $-prefixed events a server writes into $all on its own, so that readers
 * meet them between (and after) application events as they do on a server:
 * at start the epoch and system stream metadata, then periodic statistics.
 */
import { newEventId, type EmulatedLog, type StoredEvent } from './log';

/** The node's stats stream, named after its HTTP endpoint on a default single node. */
const STATS_STREAM = '$stats-127.0.0.1:2113';
/**
 * A server writes $statsCollected every StatsPeriodSec (30 s by default,
 * ClusterVNodeOptions.cs v24.10.0); a test run is shorter than that, so the
 * emulator writes one after every this many application events instead.
 */
const APPLICATION_EVENTS_PER_STATS = 10;

export class SystemEventWriter {
  private started = false;
  private applicationEvents = 0;
  private pending = false;

  constructor(private readonly log: EmulatedLog) {
    log.onIndexed((events) => this.count(events));
  }

  /** The records a fresh single node writes before any client's (written once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    // $epoch-information: EpochManager.cs writes it with every new epoch (v24.10.0).
    this.write('$epoch-information', '$epoch-information', {
      epochNumber: 0,
      epochPosition: 0,
      leaderInstanceId: newEventId(),
    });
    // System stream metadata set at start: $scavenges and the stats stream's $maxAge
    // (StorageScavenger / MonitoringService, v24.10.0).
    this.write('$$$scavenges', '$metadata', { $maxAge: 2_592_000 });
    this.write(`$$${STATS_STREAM}`, '$metadata', { $maxAge: 86_400 });
    // The default admin and ops users (UserManagementService, v24.10.0).
    this.write('$user-admin', '$user', {
      loginName: 'admin',
      fullName: 'Event Store Administrator',
    });
    this.write('$users', '$User', 'admin');
    this.write('$user-ops', '$user', { loginName: 'ops', fullName: 'Event Store Operations' });
    this.write('$users', '$User', 'ops');
  }

  private count(events: readonly StoredEvent[]): void {
    for (const event of events) {
      if (event.stream.startsWith('$')) continue;
      this.applicationEvents += 1;
    }
    if (this.applicationEvents < APPLICATION_EVENTS_PER_STATS || this.pending) return;
    // Not from inside the indexing callback: subscribers must see this batch first.
    this.pending = true;
    setImmediate(() => {
      this.pending = false;
      while (this.applicationEvents >= APPLICATION_EVENTS_PER_STATS) {
        this.applicationEvents -= APPLICATION_EVENTS_PER_STATS;
        this.write(STATS_STREAM, '$statsCollected', {
          'proc-startTime': new Date().toISOString(),
          'es-queue-MainQueue-length': 0,
        });
      }
    });
  }

  private write(stream: string, type: string, data: unknown): void {
    this.log.appendDirect(stream, {
      id: newEventId(),
      type,
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify(data), 'utf8'),
      metadata: new Uint8Array(),
    });
  }
}
