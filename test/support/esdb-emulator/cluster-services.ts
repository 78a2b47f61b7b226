/**
 * ServerFeatures.GetSupportedMethods and Gossip.Read for the emulator: what
 * client 6.2.1 asks before its first append (to pick BatchAppend) and, with
 * esdb+discover://, before it opens a channel.
 */
import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { Empty, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ClusterInfo, EndPoint, MemberInfo } from '@eventstore/db-client/generated/gossip_pb';
import { GossipService } from '@eventstore/db-client/generated/gossip_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import type { CallRegistry, FaultSwitches } from './calls';
import { serviceError } from './messages';

export const EMULATED_SERVER_VERSION = '24.10.0';

/**
 * ServerFeatures.cs (v24.10.0): every method of a "client" service, names in
 * lower case; Streams reads carry the features "position" and "events",
 * BatchAppend "deadline_duration". Only the methods the emulator implements
 * are listed.
 */
export function supportedMethods(): SupportedMethods {
  const paths: readonly [string, readonly string[]][] = [
    [StreamsService.read.path, ['position', 'events']],
    [StreamsService.append.path, []],
    [StreamsService.batchAppend.path, ['deadline_duration']],
    [GossipService.read.path, []],
    [ServerFeaturesService.getSupportedMethods.path, []],
  ];
  const result = new SupportedMethods();
  result.setEventStoreServerVersion(EMULATED_SERVER_VERSION);
  for (const [path, features] of paths) {
    const [, service = '', method = ''] = path.split('/');
    const supported = new SupportedMethod();
    supported.setServiceName(service.toLowerCase());
    supported.setMethodName(method.toLowerCase());
    supported.setFeaturesList([...features]);
    result.addMethods(supported);
  }
  return result;
}

export interface GossipContext {
  readonly calls: CallRegistry;
  readonly faults: FaultSwitches;
  readonly host: string;
  readonly port: () => number;
  readonly instanceId: string;
}

/**
 * Gossip.Read.cs (v24.10.0): the cluster's members with their state and HTTP
 * endpoint, which the client connects to. The emulator is a single leader.
 */
export function handleGossipRead(
  context: GossipContext,
  _call: ServerUnaryCall<Empty, ClusterInfo>,
  callback: sendUnaryData<ClusterInfo>,
): void {
  let done = false;
  const reply: sendUnaryData<ClusterInfo> = (error, value) => {
    if (done) return;
    done = true;
    release();
    callback(error, value);
  };
  const release = context.calls.open({ kind: 'unary', fail: (error) => reply(error) });
  void context.faults.delay().then(() => {
    if (context.faults.failDiscovery) {
      reply(serviceError(status.UNAVAILABLE, 'emulator: discovery is failing'));
      return;
    }
    const endpoint = new EndPoint();
    endpoint.setAddress(context.host);
    endpoint.setPort(context.port());
    const instanceId = new UUID();
    instanceId.setString(context.instanceId);
    const member = new MemberInfo();
    member.setInstanceId(instanceId);
    member.setTimeStamp((BigInt(Date.now()) * 10_000n).toString());
    member.setState(MemberInfo.VNodeState.LEADER);
    member.setIsAlive(true);
    member.setHttpEndPoint(endpoint);
    reply(null, new ClusterInfo().setMembersList([member]));
  });
}

export function handleGetSupportedMethods(
  context: { readonly faults: FaultSwitches },
  _call: ServerUnaryCall<Empty, SupportedMethods>,
  callback: sendUnaryData<SupportedMethods>,
): void {
  void context.faults.delay().then(() => callback(null, supportedMethods()));
}
