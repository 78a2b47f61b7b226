import { Global, Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiKeyGuard } from './api-key.guard';
import { API_KEYS, loadApiKeys, type ApiKeys } from './api-keys';

@Global()
@Module({
  providers: [
    {
      provide: API_KEYS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): ApiKeys => {
        const keys = loadApiKeys(config);
        const logger = new Logger('Access');
        logger.log(`query API keys: ${keys.origin}`);
        if (keys.warning !== undefined) logger.warn(keys.warning);
        return keys;
      },
    },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [API_KEYS],
})
export class AccessModule {}
