import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG } from '../config/app-config';
import { AccessModule } from './access.module';
import { API_KEYS, ONLY_READ_KEYS, type ApiKeys } from './api-keys';

const READ_KEY = 'reader-key-not-a-secret-0123456789';

async function bootWith(apiKeys: { read: string[]; admin: string[] }): Promise<ApiKeys> {
  @Global()
  @Module({
    providers: [
      { provide: APP_CONFIG, useValue: { dataDir: '/nonexistent-never-written', apiKeys } },
    ],
    exports: [APP_CONFIG],
  })
  class ConfigStub {}
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigStub, AccessModule],
  }).compile();
  const keys = moduleRef.get<ApiKeys>(API_KEYS);
  await moduleRef.close();
  return keys;
}

describe('AccessModule at boot', () => {
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('warns once, naming no key, when only API_READ_KEYS is set', async () => {
    await bootWith({ read: [READ_KEY], admin: [] });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(ONLY_READ_KEYS);
    for (const call of [...warn.mock.calls, ...log.mock.calls])
      expect(JSON.stringify(call)).not.toContain(READ_KEY);
  });

  it('does not warn when an admin key is configured', async () => {
    await bootWith({ read: [READ_KEY], admin: ['admin-key-not-a-secret-0123456789'] });
    expect(warn).not.toHaveBeenCalled();
  });
});
