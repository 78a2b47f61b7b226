'use strict';
/**
 * Heavy read-model maintenance on its own thread, so that the event loop
 * serving HTTP keeps answering while a rebuild copies carried-over projections
 * into a new generation or indexes it. One task per worker (see maintenance.ts).
 */
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

function copy(db, task) {
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

function index(db, task) {
  db.exec(task.indexes);
  db.exec('ANALYZE');
  db.pragma('synchronous = NORMAL');
  db.pragma('journal_mode = WAL');
}

let db;
try {
  db = new Database(workerData.file);
  db.pragma('busy_timeout = 5000');
  if (workerData.kind === 'copy') copy(db, workerData);
  else if (workerData.kind === 'index') index(db, workerData);
  else throw new Error(`unknown maintenance task ${String(workerData.kind)}`);
  db.close();
  parentPort.postMessage({ ok: true });
} catch (error) {
  if (db !== undefined && db.open) db.close();
  parentPort.postMessage({
    ok: false,
    message: String(error && error.message ? error.message : error),
  });
}
