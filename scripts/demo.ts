/**
 * npm run demo — shows what the ledger makes of the providers' own examples.
 *
 * Starts the service from source exactly as `npm start` runs it, on a free
 * loopback port, with a throwaway data directory and demo keys generated for
 * this run (no real provider is involved), sends the seed documents' examples
 * (corrected, signed like the real senders sign them), and prints balances,
 * referral counts and campaign state from the REST API. Set DEMO_KEEP=1 to
 * keep the service running, with this run's keys printed, to open the audit
 * console; Ctrl-C stops it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedHistory } from '../test/support/seed-history';
import { get, post } from '../test/support/http';
import { spawnService } from '../test/support/spawn-service';
import { testEnv } from '../test/support/start-app';
import { TEST_SECRETS } from '../test/support/test-secrets';

interface Balance {
  currency: string;
  currencyAssumed: boolean;
  pending: string;
  approved: string;
  paid: string;
  voided: string;
}

const PARTICIPANTS = [
  ['GrowSurf advocate Richard', '/participants/growsurf/ct8f71/x9a7uu'],
  ['GrowSurf friend Billy', '/participants/growsurf/ct8f71/uxjbxu'],
  ['Talkable advocate Bob', '/participants/talkable/test-site/referrer@example.com'],
  [
    'Wix referring customer',
    '/participants/wix/e2e-instance-1/4fb41de4-da9c-4818-b54f-82c955ecc866',
  ],
] as const;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'referral-ledger-demo-'));
  const service = await spawnService({ ...testEnv(dataDir), LOG_LEVEL: 'warn' });
  const auth = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };
  try {
    console.log(`service on ${service.url} (data in ${dataDir})\n`);
    let position = '0';
    for (const { name, delivery } of seedHistory()) {
      const answer = await post(service.url, delivery);
      position = typeof answer.body.position === 'string' ? answer.body.position : position;
      console.log(
        `  ${String(answer.status)} ${String(answer.body.status ?? answer.body.title).padEnd(9)} ${name}`,
      );
    }
    console.log('');
    for (const [label, path] of PARTICIPANTS) {
      const answer = await get(service.url, `${path}?atPosition=${position}`, auth);
      if (answer.status !== 200) {
        console.log(`${label}: ${answer.status} ${answer.text}`);
        continue;
      }
      const view = answer.body as {
        advocate: {
          referrals: Record<string, number>;
          balances: Balance[];
          points: { total: string };
          coupons: unknown[];
        };
        friend: { referredBy: unknown[] };
        rewards: unknown[];
      };
      const counts = view.advocate.referrals;
      console.log(`${label}`);
      console.log(
        `  referrals: ${counts.total} total, ${counts.pending} pending, ${counts.approved} approved, ${counts.voided} voided`,
      );
      for (const b of view.advocate.balances) {
        const assumed = b.currencyAssumed ? ' (currency assumed: the provider sent none)' : '';
        console.log(
          `  ${b.currency}: pending ${b.pending}, approved ${b.approved}, paid ${b.paid}, voided ${b.voided}${assumed}`,
        );
      }
      console.log(
        `  points:    ${view.advocate.points.total}; coupons: ${view.advocate.coupons.length}; rewards in all: ${view.rewards.length}; referred by: ${view.friend.referredBy.length}`,
      );
    }
    const campaign = await get(
      service.url,
      `/campaigns/growsurf/ct8f71/ct8f71?atPosition=${position}`,
      auth,
    );
    console.log(
      `\nGrowSurf campaign ct8f71: ${JSON.stringify(campaign.body.campaign ?? campaign.body, null, 2)}`,
    );
    const board = await get(
      service.url,
      `/campaigns/growsurf/ct8f71/ct8f71/leaderboard?atPosition=${position}`,
      auth,
    );
    console.log(`leaderboard: ${JSON.stringify(board.body.items)}`);
    if (process.env.DEMO_KEEP === '1') {
      // Keys generated for this run only, printed on request so the console can be opened.
      console.log(`\nAudit console: ${service.url}/console/`);
      console.log(`  this run's read key:  ${TEST_SECRETS.readApiKey}`);
      console.log(`  this run's admin key: ${TEST_SECRETS.adminApiKey}`);
      console.log('The service runs until you press Ctrl-C.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    } else {
      console.log('\nSet DEMO_KEEP=1 to keep the service running and open the audit console.');
    }
  } finally {
    await service.kill('SIGTERM');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
