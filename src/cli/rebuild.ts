/**
 * npm run rebuild [-- projection …] (compiled: node dist/cli/rebuild.js [projection …]) — rebuilds the named projections (every
 * one when none is named) from the log with the service stopped (with the service running, use POST /projections/rebuild instead:
 * a running service keeps serving the generation it opened). Uses the same
 * configuration as the service, then switches the data directory to the new
 * generation.
 */
import { ConfigError, loadConfig } from '../config/load-config';
import { openEventStore } from '../event-store/open-event-store';
import { LiveProjections, UnknownProjection } from '../projections/live-projections';
import { FOLLOWED_EVENTS } from '../projections/projection-runner';
import { serviceProjections } from '../projections/service-projections';
import { loadEnvFile } from './env-file';

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig(process.env);
  const store = openEventStore(config.eventStore);
  const projections = new LiveProjections(store, config.dataDir, serviceProjections(config));
  try {
    const { versionRebuild } = await projections.start();
    // A projection whose code changed is already being rebuilt: let that finish first.
    if (versionRebuild !== undefined) await versionRebuild;
    const started = Date.now();
    const names = process.argv.slice(2);
    const { done } = projections.startRebuild(names.length > 0 ? names : undefined);
    const progress = setInterval(() => {
      const rebuild = projections.status().rebuild;
      const checkpoints = rebuild?.projections.map(
        (p) => `${p.projection}@${String(p.checkpoint ?? 0n)}`,
      );
      process.stdout.write(`  rebuilding: ${checkpoints?.join(', ') ?? '…'}\n`);
    }, 2_000);
    const result = await done.finally(() => clearInterval(progress));
    if (result.state !== 'switched')
      throw new Error(result.failure ?? 'the rebuild did not finish');
    // The last position the projections follow, which the rebuild reached before switching.
    const head = await store.headPosition(FOLLOWED_EVENTS);
    console.log(
      `rebuilt ${result.rebuilding.join(', ')} up to log position ${String(head ?? 0n)} in ${((Date.now() - started) / 1000).toFixed(1)} s; live read models: ${config.dataDir}/${result.fileName}`,
    );
  } finally {
    await projections.stop();
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError || error instanceof UnknownProjection ? error.message : error,
  );
  process.exitCode = 1;
});
