import { Module } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { UnsubscribeBackfill } from './unsubscribe-backfill';
import { UNSUBSCRIBE_LOOKUP } from '../ledger/unsubscribe-lookup';
import { unsubscribesFromLog } from './unsubscribes-from-log';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  controllers: [WebhooksController],
  providers: [
    WebhooksService,
    UnsubscribeBackfill,
    {
      provide: UNSUBSCRIBE_LOOKUP,
      inject: [EVENT_STORE],
      useFactory: (store: EventStore) => unsubscribesFromLog(store),
    },
  ],
})
export class WebhooksModule {}
