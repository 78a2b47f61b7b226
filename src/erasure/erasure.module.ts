import { Global, Module } from '@nestjs/common';
import { QueriesModule } from '../queries/queries.module';
import { Erasure } from './erasure.service';
import { RevealInterceptor } from './reveal.interceptor';
import { SubjectsController } from './subjects.controller';

/** The key store, sealing for the intake, opening for the audit, and the subjects routes. */
@Global()
@Module({
  imports: [QueriesModule],
  controllers: [SubjectsController],
  providers: [Erasure, RevealInterceptor],
  exports: [Erasure, RevealInterceptor],
})
export class ErasureModule {}
