import { Module } from '@nestjs/common';
import { QueriesModule } from '../queries/queries.module';
import { AuditController } from './audit.controller';
import { StoredDeliveries } from './stored-deliveries';

@Module({
  imports: [QueriesModule],
  controllers: [AuditController],
  providers: [StoredDeliveries],
})
export class AuditModule {}
