/**
 * npm run rebuild [-- projection …] (compiled: node dist/cli/rebuild.js [projection …]) — rebuilds the named projections (every
 * one when none is named) from the log with the service stopped: it takes DATA_DIR's lock and refuses
 * (exit 75, naming the holder) while the service holds it; use POST /projections/rebuild then. Uses the same
 * configuration as the service, then switches the data directory to the new
 * generation.
 */
import { ConfigError, loadConfig } from '../config/load-config';
import { openEventStore } from '../event-store/open-event-store';
import {
  claimDataDir,
  DATA_DIR_LOCKED_EXIT_CODE,
  DataDirLocked,
  type DataDirClaim,
} from '../data-dir/claim-data-dir';
import { UnknownProjection } from '../ledger/errors';
import { InvalidReadModelPointer, LiveProjections } from '../read-models/live-projections';
import { FOLLOWED_EVENTS } from '../read-models/projection-runner';
import { serviceProjections } from '../projections/service-projections';
import { loadEnvFile } from './env-file';

async function main(): Promise<void> {
  loadEnvFile();
  const config = loadConfig(process.env);
  // Before anything opens DATA_DIR: a rebuild under a running service would switch
  // read-models.current under it while it kept writing the generation it opened.
  let claim: DataDirClaim;
  try {
    claim = claimDataDir(config.dataDir, 'rebuild');
  } catch (error) {
    if (!(error instanceof DataDirLocked)) throw error;
    console.error(
      `npm run rebuild refused: ${error.message}. While the service runs, rebuild through it: POST /projections/rebuild (admin key); or stop the service and run this again.`,
    );
    process.exitCode = DATA_DIR_LOCKED_EXIT_CODE;
    return;
  }
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
    claim.lock.release();
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ||
      error instanceof UnknownProjection ||
      error instanceof InvalidReadModelPointer
      ? error.message
      : error,
  );
  process.exitCode = 1;
});
