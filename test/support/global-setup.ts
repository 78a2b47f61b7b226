/**
 * One EventStoreDB container per test run, for the EventStoreDB contract run.
 * Where no container runtime answers, the reason is recorded and printed, and
 * that suite reports itself as skipped; with REQUIRE_EVENTSTOREDB=1 (CI with
 * Docker) a missing runtime fails the run instead.
 */
import type { StartedTestContainer } from 'testcontainers';

export const ESDB_IMAGE = 'docker.eventstore.com/eventstore/eventstore:24.10';
const DETECT_TIMEOUT_MS = 10_000;

declare global {
  var __ESDB_CONTAINER__: StartedTestContainer | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.EVENTSTORE_TEST_CONNECTION_STRING) return;
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  try {
    await Promise.race([
      getContainerRuntimeClient(),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`no answer within ${DETECT_TIMEOUT_MS} ms`)),
          DETECT_TIMEOUT_MS,
        ).unref(),
      ),
    ]);
  } catch (error) {
    const reason = `no container runtime answered (${error instanceof Error ? error.message : String(error)})`;
    if (process.env.REQUIRE_EVENTSTOREDB === '1') {
      throw new Error(`REQUIRE_EVENTSTOREDB=1 but ${reason}`);
    }
    process.env.EVENTSTORE_CONTRACT_SKIP_REASON = reason;
    process.stdout.write(`\nEventStoreDB contract suite will be skipped: ${reason}\n`);
    return;
  }
  const container = await new GenericContainer(ESDB_IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_CLUSTER_SIZE: '1',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(
      Wait.forHttp('/health/live', 2113).forStatusCodeMatching(
        (code) => code === 204 || code === 200,
      ),
    )
    .withStartupTimeout(120_000)
    .start();
  globalThis.__ESDB_CONTAINER__ = container;
  process.env.EVENTSTORE_TEST_CONNECTION_STRING = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
}
