/**
 * Starts a real EventStoreDB / KurrentDB server in a container (testcontainers)
 * and waits until it takes writes. The global setup starts one for the whole
 * run; a suite that needs a log of its own starts another for itself.
 */
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import type { StartedTestContainer } from 'testcontainers';

const READY_TIMEOUT_MS = 60_000;

/**
 * The single-node, insecure settings, named as the image reads them: KurrentDB
 * (25.0 and later) reads KURRENTDB_* variables, EventStoreDB (up to 24.10)
 * EVENTSTORE_*. Projections are off: the service does not use them. No
 * in-memory database: MemDb is deprecated from 25.1, and the container's data
 * directory (/var/lib/kurrentdb, or /var/lib/eventstore up to 24.10) is
 * thrown away with the container.
 */
export function serverEnvironment(image: string): Record<string, string> {
  const prefix = /(^|\/)eventstore\/eventstore:/.test(image) ? 'EVENTSTORE' : 'KURRENTDB';
  return {
    [`${prefix}_CLUSTER_SIZE`]: '1',
    [`${prefix}_INSECURE`]: 'true',
    [`${prefix}_RUN_PROJECTIONS`]: 'None',
    [`${prefix}_START_STANDARD_PROJECTIONS`]: 'false',
  };
}

export interface StartedServer {
  readonly container: StartedTestContainer;
  readonly connectionString: string;
}

export async function startEventStoreDbContainer(image: string): Promise<StartedServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(image)
    .withEnvironment(serverEnvironment(image))
    .withExposedPorts(2113)
    .withWaitStrategy(
      // The image's own HEALTHCHECK asks the same endpoint.
      Wait.forHttp('/health/live', 2113).forStatusCodeMatching(
        (code) => code === 200 || code === 204,
      ),
    )
    .withStartupTimeout(120_000)
    .start();
  const connectionString = `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`;
  try {
    await waitUntilWritable(connectionString);
  } catch (error) {
    await container.stop();
    throw error;
  }
  return { container, connectionString };
}

/** /health/live can answer before the single node has become leader and accepts writes. */
async function waitUntilWritable(connectionString: string): Promise<void> {
  const client = EventStoreDBClient.connectionString(connectionString);
  const giveUpAt = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.appendToStream(
          `readiness-${randomUUID()}`,
          jsonEvent({ type: 'readiness-probed', data: {} }),
          { deadline: 2_000 },
        );
        return;
      } catch (error) {
        if (Date.now() > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await client.dispose();
  }
}
