export default async function globalTeardown(): Promise<void> {
  await globalThis.__ESDB_CONTAINER__?.stop();
}
