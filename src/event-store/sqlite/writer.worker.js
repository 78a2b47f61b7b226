'use strict';
/**
 * Owns the write connection of a file-backed embedded log, so that the fsync
 * of each group commit happens off the event loop that serves HTTP.
 */
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');
const { createBatchWriter } = require('./batch-writer.js');

const db = new Database(workerData.file);
db.defaultSafeIntegers(true);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 4000');
const write = createBatchWriter(db);

parentPort.on('message', (message) => {
  if (message.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    parentPort.postMessage({ id: message.id, outcomes: write(message.batch) });
  } catch (error) {
    parentPort.postMessage({
      id: message.id,
      failure: String(error && error.message ? error.message : error),
    });
  }
});
