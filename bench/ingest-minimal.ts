/**
 * The minimal durable intake, written by hand: the same-run baseline of
 * bench:ingest (issue 12). Fastify, the GrowSurf HMAC checked on the raw
 * bytes, one JSON.parse, an INSERT with a unique key into SQLite, all rows of
 * the last 2 ms in one shared transaction (WAL, synchronous=FULL, so each
 * flush is fsync'd), and the answer only after that commit. It does what a
 * durable webhook intake cannot skip, and nothing else.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const FLUSH_EVERY_MS = 2;
const TOLERANCE_MS = 300_000;
const SIGNATURE = /^ts=(\d{1,15}),v=([0-9a-f]{64})$/;

interface Pending {
  readonly key: string;
  readonly body: string;
  readonly settle: (recorded: boolean) => void;
  readonly fail: (error: unknown) => void;
}

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMinimalIntake(dir: string, secret: string): Promise<RunningServer> {
  const db = new Database(join(dir, 'minimal.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS deliveries (key TEXT PRIMARY KEY, received INTEGER NOT NULL, body TEXT NOT NULL)',
  );
  const insert = db.prepare(
    'INSERT INTO deliveries (key, received, body) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING',
  );
  const writeAll = db.transaction((rows: readonly Pending[], received: number) =>
    rows.map((row) => insert.run(row.key, received, row.body).changes === 1),
  );
  let queue: Pending[] = [];
  const flush = (): void => {
    if (queue.length === 0) return;
    const rows = queue;
    queue = [];
    try {
      const recorded = writeAll(rows, Date.now());
      rows.forEach((row, index) => row.settle(recorded[index] === true));
    } catch (error) {
      for (const row of rows) row.fail(error);
    }
  };
  const timer = setInterval(flush, FLUSH_EVERY_MS);

  const server = Fastify({ logger: false });
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  server.post('/webhooks/growsurf', async (request, reply) => {
    const raw = request.body as Buffer;
    const header = SIGNATURE.exec(String(request.headers['growsurf-signature'] ?? ''));
    if (header === null) return reply.code(401).send({ error: 'no signature' });
    const [, ts, v] = header as unknown as [string, string, string];
    if (Math.abs(Date.now() - Number(ts)) > TOLERANCE_MS)
      return reply.code(401).send({ error: 'stale signature' });
    const expected = createHmac('sha256', secret).update(`${ts}.`).update(raw).digest();
    if (!timingSafeEqual(expected, Buffer.from(v, 'hex')))
      return reply.code(401).send({ error: 'bad signature' });
    const text = raw.toString('utf8');
    let body: { data?: { reward?: { id?: unknown; approved?: unknown } } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return reply.code(400).send({ error: 'not JSON' });
    }
    const reward = body.data?.reward;
    if (typeof reward?.id !== 'string') return reply.code(400).send({ error: 'no reward id' });
    const key = `growsurf:${reward.id}:${String(reward.approved)}`;
    const recorded = await new Promise<boolean>((settle, fail) =>
      queue.push({ key, body: text, settle, fail }),
    );
    return { status: recorded ? 'recorded' : 'duplicate' };
  });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await server.close();
      clearInterval(timer);
      flush();
      db.close();
    },
  };
}
