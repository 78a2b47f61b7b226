'use strict';
/**
 * Writes one group-commit batch in one transaction. Plain CommonJS so that the
 * same code runs inline (in-memory stores) and in the writer worker thread,
 * which loads it without a TypeScript toolchain. Types: batch-writer.d.ts.
 *
 * An append either writes all its events or none: the expected-state check
 * runs before its first insert, and revisions are computed here. Appends are
 * applied in arrival order, so of two "no_stream" appends to one stream in a
 * batch the first wins. If the database refuses the batch (an error other than
 * a failed expectation), the batch is retried one append per transaction so
 * that only the append the database refuses fails.
 */
function createBatchWriter(db) {
  const currentRevision = db.prepare(
    'SELECT max(revision) AS revision FROM events WHERE stream_id = ?',
  );
  const head = db.prepare('SELECT max(position) AS position FROM events');
  const insert = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );

  function expectationHolds(expected, actual) {
    if (expected === 'any') return true;
    if (expected === 'no_stream') return actual === null;
    if (expected === 'stream_exists') return actual !== null;
    return actual === expected;
  }

  function writeOne(append, created) {
    const actual = currentRevision.get(append.stream).revision;
    if (!expectationHolds(append.expected, actual)) return { conflict: actual };
    // An empty append writes nothing and, like EventStoreDB, reports -1 for a missing stream.
    let revision = actual === null ? -1n : actual;
    let position = null;
    for (const [eventId, type, data, metadata] of append.rows) {
      revision++;
      position = BigInt(
        insert.run(append.stream, revision, eventId, type, data, metadata, created).lastInsertRowid,
      );
    }
    if (position === null) position = head.get().position ?? 0n;
    return { ok: [revision, position] };
  }

  const writeAll = db.transaction((batch) =>
    batch.appends.map((append) => writeOne(append, batch.created)),
  );
  const writeAlone = db.transaction(writeOne);

  return (batch) => {
    try {
      return writeAll.immediate(batch);
    } catch (error) {
      if (batch.appends.length < 2) throw error;
      return batch.appends.map((append) => {
        try {
          return writeAlone.immediate(append, batch.created);
        } catch (alone) {
          return { failure: String(alone && alone.message ? alone.message : alone) };
        }
      });
    }
  };
}

module.exports = { createBatchWriter };
