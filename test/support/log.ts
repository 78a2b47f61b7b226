import {
  EVENT_STORE,
  type EventStore,
  type RecordedEvent,
} from '../../src/event-store/event-store.port';
import type { RunningApp } from './start-app';

export function storeOf(app: RunningApp): EventStore {
  return app.app.get<symbol, EventStore>(EVENT_STORE);
}

/** Every recorded delivery, in log order. */
export async function recordedDeliveries(store: EventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await store.readAll({
      after,
      maxCount: 1000,
      filter: { streamPrefixes: ['webhook-'] },
    });
    events.push(...page.events);
    if (page.next === undefined) return events;
    after = page.next;
  }
}
