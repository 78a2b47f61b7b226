/** Stops the EventStoreDB container the global setup started, if it started one. */
export default async function globalTeardown(): Promise<void> {
  const container = globalThis.__ESDB_CONTAINER__;
  globalThis.__ESDB_CONTAINER__ = undefined;
  await container?.stop();
}
