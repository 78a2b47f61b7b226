/**
 * An in-process EventStoreDB emulator for tests: a gRPC server on 127.0.0.1
 * that speaks what @eventstore/db-client 6.2.1 speaks (ServerFeatures, Streams
 * Read / Append / BatchAppend, Gossip), built on the client's generated
 * protobuf code and @grpc/grpc-js, with faults a test can switch on.
 * It is an emulator: passing against it proves nothing about a real server
 * beyond the behaviours it copies (each names the server source it follows).
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  handleAppend,
  handleBatchAppend,
  type AppendContext,
  type AppendSizeRule,
} from './appends';
import { CallRegistry, FaultSwitches } from './calls';
import { handleGetSupportedMethods, handleGossipRead } from './cluster-services';
import { EmulatedLog, newEventId, type ProposedEvent } from './log';
import { unavailableError } from './messages';
import { handleRead } from './reads';
import { SystemEventWriter } from './system-events';

export interface EsdbEmulatorOptions {
  /** 0 (default) = ephemeral port. Give a port to start on a port someone already points at. */
  readonly port?: number;
  /** Largest append accepted, bytes; default 1 MiB (servers up to 25.0); 16 MiB as from 25.1. */
  readonly maxAppendSize?: number;
  /** Write $-prefixed system events into $all between ours (default true), as a real server does. */
  readonly systemEvents?: boolean;
  /**
   * Whose size rule (default 'v24.10'): under 'v25.1' `maxAppendSize` is the
   * per-event MaxAppendEventSize (default 16 MiB) and a refusal is the
   * MaximumAppendEventSizeExceeded that client 6.2.1 reports as UnknownError.
   * (An addition to the API in PLAN.md; leaving it out changes nothing.)
   */
  readonly appendSizeRule?: AppendSizeRule;
}

export interface EsdbEmulator {
  readonly port: number;
  /** esdb://127.0.0.1:<port>?tls=false */
  readonly connectionString: string;
  /** esdb+discover://127.0.0.1:<port>?tls=false (gossip answered by the emulator itself) */
  readonly discoverConnectionString: string;
  /** Stops listening and ends every call; keeps the data. */
  stop(): Promise<void>;
  /** Listens again on the same port with the same data. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
  /** Fault injection. */
  readonly faults: {
    /** Ends one live subscription (the oldest) with UNAVAILABLE. */
    dropOneSubscription(): void;
    /** Ends every call in flight and every connection (clients reconnect). */
    dropAllConnections(): void;
    /** Delay every reply by ms (0 = off). */
    delayReplies(ms: number): void;
    /** Appends answer NotLeader (with a leader endpoint of this emulator) while on. */
    notLeader(on: boolean): void;
    /** Gossip answers UNAVAILABLE / no members while on. */
    failDiscovery(on: boolean): void;
    /** Appends fail with UNAVAILABLE while on (reads still work). */
    failAppends(on: boolean): void;
  };
  /** Append directly (foreign application's or system events), bypassing gRPC. Returns commit position. */
  appendDirect(stream: string, type: string, data: unknown, options?: { json?: boolean }): bigint;
  /** Number of events in $all (system included). */
  readonly size: number;
  /**
   * Every byte the emulator holds as event data and metadata, all streams, in
   * log order: what a byte search of a server's storage would see.
   */
  storedBytes(): Buffer;
  /** Calls currently open (reads, subscriptions, appends): to check that clients release streams. */
  readonly openCalls: number;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 50;
/**
 * ClusterVNodeOptions.cs: MaxAppendSize 1 MiB (v24.10.0); MaxAppendEventSize
 * TFConsts.MaxLogRecordSize, 16 MiB (v25.1.0).
 */
const DEFAULT_MAX_APPEND_SIZE: Record<AppendSizeRule, number> = {
  'v24.10': 1_024 * 1_024,
  'v25.1': 16 * 1_024 * 1_024,
};
/**
 * ClusterVNodeStartup.cs (v24.10.0): the Streams service takes messages up
 * to TFConsts.EffectiveMaxLogRecordSize (16 MiB less 10,000 bytes).
 */
const MAX_RECEIVE_MESSAGE_LENGTH = 16 * 1_024 * 1_024 - 10_000;

class GrpcEsdbEmulator implements EsdbEmulator {
  private readonly log = new EmulatedLog();
  private readonly calls = new CallRegistry();
  private readonly switches = new FaultSwitches();
  private readonly systemEvents: SystemEventWriter | undefined;
  private server: Server | undefined;
  private boundPort: number;
  private readonly maxAppendSize: number;
  private readonly appendSizeRule: AppendSizeRule;
  private readonly instanceId = randomUUID();

  constructor(options: EsdbEmulatorOptions) {
    this.boundPort = options.port ?? 0;
    this.appendSizeRule = options.appendSizeRule ?? 'v24.10';
    this.maxAppendSize = options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE[this.appendSizeRule];
    this.systemEvents =
      options.systemEvents === false ? undefined : new SystemEventWriter(this.log);
  }

  get port(): number {
    return this.boundPort;
  }

  get connectionString(): string {
    return `esdb://${HOST}:${this.boundPort}?tls=false`;
  }

  get discoverConnectionString(): string {
    return `esdb+discover://${HOST}:${this.boundPort}?tls=false`;
  }

  get size(): number {
    return this.log.size;
  }

  storedBytes(): Buffer {
    return this.log.storedBytes();
  }

  get openCalls(): number {
    return this.calls.size;
  }

  readonly faults: EsdbEmulator['faults'] = {
    dropOneSubscription: () => {
      this.calls.oldest('subscription')?.fail(unavailableError('subscription dropped'));
    },
    dropAllConnections: () => {
      this.calls.failAll(unavailableError('connection dropped'));
      // Server.drain sends GOAWAY to every session and keeps listening.
      this.server?.drain(`${HOST}:${this.boundPort}`, 0);
    },
    delayReplies: (ms) => {
      this.switches.delayMs = ms;
    },
    notLeader: (on) => {
      this.switches.notLeader = on;
    },
    failDiscovery: (on) => {
      this.switches.failDiscovery = on;
    },
    failAppends: (on) => {
      this.switches.failAppends = on;
    },
  };

  async start(): Promise<void> {
    if (this.server !== undefined) return;
    const server = new Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_LENGTH });
    this.addServices(server);
    this.boundPort = await bindWithRetry(server, this.boundPort);
    this.server = server;
    this.systemEvents?.start();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.calls.failAll(unavailableError('stopped'));
    await new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      // Idle sessions of clients that keep their channel would hold tryShutdown
      // forever; the grace lets the UNAVAILABLE statuses above reach the clients.
      setTimeout(() => server.forceShutdown(), STOP_GRACE_MS);
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  appendDirect(
    stream: string,
    type: string,
    data: unknown,
    options: { json?: boolean } = {},
  ): bigint {
    const json = options.json ?? true;
    const event: ProposedEvent = {
      id: newEventId(),
      type,
      contentType: json ? 'application/json' : 'application/octet-stream',
      data: json ? Buffer.from(JSON.stringify(data), 'utf8') : toBytes(data),
      metadata: new Uint8Array(),
    };
    return this.log.appendDirect(stream, event).position;
  }

  private addServices(server: Server): void {
    const appends: AppendContext = {
      log: this.log,
      calls: this.calls,
      faults: this.switches,
      appendSizeRule: this.appendSizeRule,
      maxAppendSize: this.maxAppendSize,
      host: HOST,
      port: () => this.boundPort,
    };
    const reads = { log: this.log, calls: this.calls, faults: this.switches };
    server.addService(StreamsService, {
      read: (call: Parameters<typeof handleRead>[1]) => void handleRead(reads, call),
      append: (
        ...args: Parameters<typeof handleAppend> extends [unknown, ...infer R] ? R : never
      ) => handleAppend(appends, ...args),
      batchAppend: (call: Parameters<typeof handleBatchAppend>[1]) =>
        handleBatchAppend(appends, call),
      delete: unimplemented,
      tombstone: unimplemented,
    });
    server.addService(GossipService, {
      read: (
        ...args: Parameters<typeof handleGossipRead> extends [unknown, ...infer R] ? R : never
      ) =>
        handleGossipRead(
          {
            calls: this.calls,
            faults: this.switches,
            host: HOST,
            port: () => this.boundPort,
            instanceId: this.instanceId,
          },
          ...args,
        ),
    });
    server.addService(ServerFeaturesService, {
      getSupportedMethods: (
        ...args: Parameters<typeof handleGetSupportedMethods> extends [unknown, ...infer R]
          ? R
          : never
      ) => handleGetSupportedMethods({ faults: this.switches }, ...args),
    });
  }
}

function unimplemented(_call: unknown, callback: (error: Error) => void): void {
  callback(Object.assign(new Error('emulator: not implemented'), { code: 12 }));
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(JSON.stringify(data), 'utf8');
}

/** A port just released by stop() can take a moment to be free again. */
async function bindWithRetry(server: Server, port: number): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await new Promise<number>((resolve, reject) => {
        server.bindAsync(`${HOST}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        );
      });
    } catch (error) {
      if (attempt >= 50 || port === 0) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export async function startEsdbEmulator(options: EsdbEmulatorOptions = {}): Promise<EsdbEmulator> {
  const emulator = new GrpcEsdbEmulator(options);
  await emulator.start();
  return emulator;
}
