/**
 * Runs one read-model maintenance task (copy carried-over projections into a
 * new generation, or index a built one) in a worker thread: these take
 * seconds on millions of documents, and the service keeps answering meanwhile.
 */
import { join } from 'node:path';
import { spawnWorker } from '../../threads/spawn-worker';
import {
  READ_MODEL_COPIES,
  READ_MODEL_INDEXES,
  READ_MODEL_SCHEMA_VERSION,
  READ_MODEL_TABLES,
} from './read-model-schema';
import { preparePrivateFile } from '../../data-dir/private-files';
import type { MaintenanceOutcome, MaintenanceTask } from './maintenance.worker';

export interface CarriedProjection {
  readonly name: string;
  readonly collections: readonly string[];
}

/** Creates `file` and copies into it what `from` holds for these projections, from one snapshot. */
export function copyProjectionsInto(
  file: string,
  from: string,
  projections: readonly CarriedProjection[],
): Promise<void> {
  const names = projections.map((p) => p.name);
  const collections = projections.flatMap((p) => p.collections);
  return runTask({
    kind: 'copy',
    file,
    from,
    schema: READ_MODEL_TABLES,
    userVersion: READ_MODEL_SCHEMA_VERSION,
    copies: READ_MODEL_COPIES.map((copy) => ({
      ...copy,
      values: copy.by === 'collection' ? collections : names,
    })),
  });
}

/**
 * Ends the building of a generation nobody has open: secondary indexes,
 * planner statistics, WAL. Then it can be opened as live read models.
 */
export function indexGeneration(file: string): Promise<void> {
  return runTask({ kind: 'index', file, indexes: READ_MODEL_INDEXES });
}

function runTask(task: MaintenanceTask): Promise<void> {
  // A copy starts a generation: created 0600 before the worker's SQLite would create it 0644
  // (read models hold names and emails). An index task works on a file that exists.
  if (task.kind === 'copy') preparePrivateFile(task.file);
  return new Promise((resolve, reject) => {
    const worker = spawnWorker(join(__dirname, 'maintenance.worker'), { workerData: task });
    let settled = false;
    worker.once('message', (outcome: MaintenanceOutcome) => {
      settled = true;
      if (outcome.ok) resolve();
      else reject(new Error(`read-model ${task.kind} failed: ${outcome.message}`));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`read-model ${task.kind} worker exited with ${code}`));
    });
  });
}
