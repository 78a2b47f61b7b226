/**
 * `npm run send`: one fixture per provider, signed with the service's own
 * configuration, is recorded by the real server; the CLI itself runs as a
 * process once, as a user would start it.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { signedDelivery } from '../../src/cli/signed-delivery';
import { loadConfig } from '../../src/config/load-config';
import type { Provider } from '../../src/ledger/webhook-received';
import { post } from '../support/http';
import { startApp, testEnv, type RunningApp } from '../support/start-app';
import { testWixPrivateKey } from '../support/test-keys';
import { TEST_SECRETS } from '../support/test-secrets';

const root = join(__dirname, '..', '..');
const fixture = (provider: string, name: string): string =>
  join(root, 'src', 'providers', provider, 'fixtures', `${name}.json`);
const FIXTURES: readonly [Provider, string][] = [
  ['growsurf', fixture('growsurf', 'new-participant-referred')],
  ['talkable', fixture('talkable', 'referral-approved')],
  ['refir', fixture('refir', 'successful-referral')],
  ['standard', fixture('standard', 'referral-created')],
  ['wix', fixture('wix', 'referral-event-action')],
];

describe('npm run send', () => {
  let app: RunningApp;
  let env: Record<string, string>;

  beforeAll(async () => {
    app = await startApp();
    env = testEnv(app.dataDir);
  });
  afterAll(() => app.dispose());

  it.each(FIXTURES)(
    'signs a %s delivery the server records, and again as a duplicate',
    async (provider, file) => {
      const options = {
        instanceId: 'e2e-instance-1',
        id: `msg_send_${provider}`,
        wixPrivateKey: testWixPrivateKey().export({ type: 'pkcs8', format: 'pem' }).toString(),
      };
      const delivery = signedDelivery(
        provider,
        readFileSync(file, 'utf8'),
        loadConfig(env),
        options,
      );
      const first = await post(app.url, delivery);
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('recorded');
      const again = await post(
        app.url,
        signedDelivery(provider, readFileSync(file, 'utf8'), loadConfig(env), options),
      );
      expect(again.body.status).toBe('duplicate');
    },
  );

  it('runs as a command, prints the answer without the URL token, and exits 0', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        join(root, 'src', 'cli', 'send.ts'),
        'refir',
        fixture('refir', 'new-lead-referred'),
        '--url',
        app.url,
      ],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
    );
    expect(stdout).toContain('-> 200');
    expect(stdout).toContain('"status":"recorded"');
    expect(stdout).not.toContain(TEST_SECRETS.refirToken);
  });

  it('says what to set when the provider is not configured, and exits 2', async () => {
    const run = promisify(execFile)(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        join(root, 'src', 'cli', 'send.ts'),
        'growsurf',
        fixture('growsurf', 'campaign-ended'),
        '--url',
        app.url,
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ENV_FILE: '', DATA_DIR: app.dataDir },
        timeout: 20_000,
      },
    );
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('GROWSURF_WEBHOOK_SECRET'),
    });
  });
});
