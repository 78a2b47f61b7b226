/**
 * Answers Talkable's unsubscribe check from the log itself (not a read model,
 * so no projection lag can answer "subscribed" for an address whose
 * unsubscribe was already acknowledged), in bounded time whatever the log's size.
 *
 * Scanning `$all` for unsubscribes costs the whole log per check: the
 * EventStoreDB client 6.2.1 filters `readAll` on the client, and SQLite has no
 * index on the event type. So every unsubscribe is also noted, before it is
 * acknowledged, in a small stream of its own per (site, email): a marker that
 * carries the unsubscribe delivery's log position. A check reads the last
 * event of one stream and compares that position with its own.
 *
 * The markers of one address are appended with an expected revision and only
 * when they lower the earliest position noted so far, so the last marker
 * always holds the earliest unsubscribe: one event read answers exactly.
 *
 * Unsubscribes recorded before markers existed get theirs from `backfill()`
 * (a scan of the log from where the last backfill ended). Until it has
 * finished in this process, a check also scans the part of the log it has not
 * covered yet, so the answer stays exact while it runs.
 */
import { ConcurrencyError } from '../event-store/event-store.errors';
import {
  ANY,
  NO_STREAM,
  type EventStore,
  type RecordedEvent,
} from '../event-store/event-store.port';
import { uuidV5, webhookEventType } from '../ledger/webhook-received';
import { unsubscribeEmailOf } from '../providers/talkable/talkable-unsubscribe';
import { webhookFromStored } from '../providers/stored-webhook';
import type { RecordedUnsubscribe, UnsubscribeIndex } from '../ledger/unsubscribe-lookup';

/** Not under `webhook-`: projections, audit and verify never see these streams. */
export const UNSUBSCRIBE_MARKER_STREAM_PREFIX = 'talkable-unsubscribe-';
export const UNSUBSCRIBE_MARKER_TYPE = 'talkable.unsubscribe-marker';
/** One event per finished backfill: the log position it covered up to. */
export const UNSUBSCRIBE_BACKFILL_STREAM = 'talkable-unsubscribe-markers-backfill';
export const UNSUBSCRIBE_BACKFILL_TYPE = 'talkable.unsubscribe-markers-backfilled';

const UNSUBSCRIBE_TYPE = webhookEventType('talkable', 'unsubscribe_web_hook');
const PAGE = 500;
/** Each lost race means another writer lowered the marker; a handful settles any storm. */
const MAX_MARKER_ATTEMPTS = 10;

export interface BackfillResult {
  /** Unsubscribes scanned (with or without a marker before). */
  readonly unsubscribes: number;
  /** Position the scan covered up to; undefined for an empty log. */
  readonly upTo: bigint | undefined;
}

export interface UnsubscribesFromLog extends UnsubscribeIndex {
  /** Notes every unsubscribe recorded up to the log's current head; safe to run again or concurrently. */
  backfill(): Promise<BackfillResult>;
}

/** The same normalisation the intake applies to both addresses (trimmed, lower-cased). */
function normalise(email: string): string {
  return email.trim().toLowerCase();
}

export function unsubscribeMarkerStream(site: string | null, email: string): string {
  const name = `talkable-unsubscribe:${JSON.stringify([site, normalise(email)])}`;
  return `${UNSUBSCRIBE_MARKER_STREAM_PREFIX}${uuidV5(name)}`;
}

interface Marker {
  readonly revision: bigint;
  /** Log position of the earliest unsubscribe noted for the address. */
  readonly deliveryPosition: bigint | undefined;
}

export function unsubscribesFromLog(store: EventStore): UnsubscribesFromLog {
  /** 'all' once this process's backfill finished; else the position markers are known to cover up to. */
  let covered: 'all' | bigint | undefined;

  async function lastMarker(stream: string): Promise<Marker | undefined> {
    const [last] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
    if (last === undefined) return undefined;
    return { revision: last.revision, deliveryPosition: deliveryPositionOf(last) };
  }

  async function noteUnsubscribe(
    site: string | null,
    email: string,
    delivery: RecordedUnsubscribe,
  ): Promise<void> {
    const stream = unsubscribeMarkerStream(site, email);
    for (let attempt = 1; ; attempt += 1) {
      const last = await lastMarker(stream);
      const earliest = last?.deliveryPosition;
      if (earliest !== undefined && earliest <= delivery.position) return;
      try {
        await store.append(
          stream,
          [
            {
              // One id per unsubscribe delivery: a retry writes the same event.
              id: uuidV5(`${UNSUBSCRIBE_MARKER_TYPE}:${delivery.eventId}`),
              type: UNSUBSCRIBE_MARKER_TYPE,
              data: {
                site,
                email: normalise(email),
                deliveryEventId: delivery.eventId,
                deliveryPosition: delivery.position.toString(),
              },
            },
          ],
          { expectedRevision: last === undefined ? NO_STREAM : last.revision },
        );
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= MAX_MARKER_ATTEMPTS) throw error;
      }
    }
  }

  /** Where the last finished backfill (of any process) ended; undefined if none ever did. */
  async function backfilledUpTo(): Promise<bigint | undefined> {
    const [last] = await store.readStream(UNSUBSCRIBE_BACKFILL_STREAM, {
      direction: 'backwards',
      maxCount: 1,
    });
    return last === undefined ? undefined : positionAt(last.data.upTo);
  }

  /** Unsubscribe deliveries after `after` up to `upTo` inclusive, in log order. */
  async function* unsubscribesBetween(
    after: bigint | undefined,
    upTo: bigint,
  ): AsyncGenerator<{ event: RecordedEvent; site: string | null; email: string }> {
    const filter = { eventTypePrefixes: [UNSUBSCRIBE_TYPE] };
    let from = after;
    for (;;) {
      const page = await store.readAll({ after: from, maxCount: PAGE, filter });
      for (const event of page.events) {
        if (event.position > upTo) return;
        if (event.type !== UNSUBSCRIBE_TYPE) continue;
        const delivery = webhookFromStored(event.data);
        const email = unsubscribeEmailOf(delivery);
        if (email !== null) yield { event, site: delivery.tenantId, email };
      }
      if (page.next === undefined) return;
      from = page.next;
    }
  }

  return {
    noteUnsubscribe,

    async isUnsubscribed(site, email, recordedUpTo) {
      // `covered` changes under an await when the backfill finishes: read it afresh.
      const backfillFinished = (): boolean => covered === 'all';
      const earliest = (await lastMarker(unsubscribeMarkerStream(site, email)))?.deliveryPosition;
      if (earliest !== undefined && earliest <= recordedUpTo) return true;
      if (covered === 'all') return false;
      if (covered === undefined || covered < recordedUpTo) {
        const upTo = await backfilledUpTo();
        // The backfill may have finished while we read: then it covers everything.
        if (backfillFinished()) return false;
        if (upTo !== undefined && (covered === undefined || upTo > covered)) covered = upTo;
      }
      const from = covered;
      if (from !== undefined && from >= recordedUpTo) return false;
      // The backfill has not reached this far yet: look at what it has not covered.
      const wanted = normalise(email);
      for await (const found of unsubscribesBetween(from, recordedUpTo)) {
        if (found.site === site && found.email === wanted) return true;
      }
      return false;
    },

    async backfill() {
      const target = await store.headPosition();
      const from = await backfilledUpTo();
      let unsubscribes = 0;
      if (target !== undefined && (from === undefined || from < target)) {
        for await (const { event, site, email } of unsubscribesBetween(from, target)) {
          await noteUnsubscribe(site, email, { eventId: event.id, position: event.position });
          unsubscribes += 1;
        }
        await store.append(
          UNSUBSCRIBE_BACKFILL_STREAM,
          [
            {
              id: uuidV5(`${UNSUBSCRIBE_BACKFILL_TYPE}:${target}`),
              type: UNSUBSCRIBE_BACKFILL_TYPE,
              data: { from: from?.toString() ?? null, upTo: target.toString(), unsubscribes },
            },
          ],
          { expectedRevision: ANY },
        );
      }
      // Everything recorded after `target` was noted by this release before it was acknowledged.
      covered = 'all';
      return { unsubscribes, upTo: target };
    },
  };
}

function deliveryPositionOf(event: RecordedEvent): bigint | undefined {
  return event.type === UNSUBSCRIBE_MARKER_TYPE
    ? positionAt(event.data.deliveryPosition)
    : undefined;
}

function positionAt(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return BigInt(value);
}
