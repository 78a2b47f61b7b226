import { Module } from '@nestjs/common';
import { ReadYourWrites } from '../queries/read-your-writes';
import { AuditController } from './audit.controller';
import { StoredDeliveries } from './stored-deliveries';

@Module({ controllers: [AuditController], providers: [StoredDeliveries, ReadYourWrites] })
export class AuditModule {}
