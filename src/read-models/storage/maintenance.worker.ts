/**
 * Heavy read-model maintenance on its own thread, so that the event loop
 * serving HTTP keeps answering while a rebuild copies carried-over projections
 * into a new generation or indexes it. One task per worker (see maintenance.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** Rows of one table whose `by` column is one of `values`. */
export interface TableCopy {
  readonly table: string;
  readonly columns: string;
  readonly by: string;
  readonly values: readonly string[];
}

export type MaintenanceTask =
  | {
      readonly kind: 'copy';
      readonly file: string;
      readonly from: string;
      readonly schema: string;
      readonly userVersion: number;
      readonly copies: readonly TableCopy[];
    }
  | { readonly kind: 'index'; readonly file: string; readonly indexes: string };

export type MaintenanceOutcome =
  { readonly ok: true } | { readonly ok: false; readonly message: string };

function copy(db: Database.Database, task: Extract<MaintenanceTask, { kind: 'copy' }>): void {
  db.exec(task.schema);
  db.pragma(`user_version = ${task.userVersion}`);
  db.prepare('ATTACH DATABASE ? AS live').run(task.from);
  // One transaction: every table is read from the same snapshot of the live file.
  db.transaction(() => {
    for (const { table, columns, by, values } of task.copies) {
      if (values.length === 0) continue;
      const marks = values.map(() => '?').join(', ');
      db.prepare(
        `INSERT OR REPLACE INTO main.${table} (${columns})
         SELECT ${columns} FROM live.${table} WHERE ${by} IN (${marks})`,
      ).run(...values);
    }
  })();
  db.exec('DETACH DATABASE live');
}

function index(db: Database.Database, task: Extract<MaintenanceTask, { kind: 'index' }>): void {
  db.exec(task.indexes);
  db.exec('ANALYZE');
  db.pragma('synchronous = NORMAL');
  db.pragma('journal_mode = WAL');
}

function run(task: MaintenanceTask): MaintenanceOutcome {
  let db: Database.Database | undefined;
  try {
    db = new Database(task.file);
    db.pragma('busy_timeout = 5000');
    switch (task.kind) {
      case 'copy':
        copy(db, task);
        break;
      case 'index':
        index(db, task);
        break;
      default: {
        const unknown: never = task;
        throw new Error(`unknown maintenance task ${String((unknown as { kind: unknown }).kind)}`);
      }
    }
    db.close();
    return { ok: true };
  } catch (error) {
    if (db?.open) db.close();
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

const port = parentPort;
if (port === null) throw new Error('maintenance.worker runs as a worker thread only');
port.postMessage(run(workerData as MaintenanceTask));
