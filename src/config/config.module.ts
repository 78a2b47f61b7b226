import { DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, type Clock } from '../ledger/clock';
import { APP_CONFIG, type AppConfig } from './app-config';

/** The configuration, loaded and validated once at boot, and the clock everything reads time from. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
      ],
      exports: [APP_CONFIG, CLOCK],
    };
  }
}
