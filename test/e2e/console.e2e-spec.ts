/**
 * The audit console in a real browser: Debian's Chromium driven by
 * playwright-core against the service on loopback, fed with the seed
 * examples. Each page is saved as a screenshot under test-artifacts/console/.
 * No browser is ever downloaded: without /usr/bin/chromium (or
 * CONSOLE_CHROMIUM) the suite is skipped with the reason, and fails in CI.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { standardDelivery } from '../support/deliveries';
import { get, post } from '../support/http';
import { seedHistory } from '../support/seed-history';
import { startApp, type RunningApp } from '../support/start-app';
import { TEST_SECRETS } from '../support/test-secrets';

/** Debian's package; Ubuntu's (a snap, as on GitHub's runners) is named chromium-browser. */
const CHROMIUM =
  process.env.CONSOLE_CHROMIUM ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path)) ??
  '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'console');
/** The flags Debian's Chromium needs here; without the background ones it keeps calling home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const read = { authorization: `Bearer ${TEST_SECRETS.readApiKey}` };

const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
const missing = `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium); the console's browser tests did not run`;

if (!hasChromium && inCi) {
  describe('the audit console in Chromium', () => {
    it('has Chromium to run in (CI must install the Debian package)', () => {
      throw new Error(missing);
    });
  });
} else if (!hasChromium) {
  process.stderr.write(`\n*** SKIPPED: ${missing} ***\n\n`);
  describe.skip(`the audit console in Chromium (skipped: ${missing})`, () => {
    it('is skipped', () => undefined);
  });
} else {
  describeConsole();
}

function describeConsole(): void {
  describe('the audit console in Chromium', () => {
    let app: RunningApp;
    let context: BrowserContext;
    let page: Page;
    let profile: string;
    let position = '0';
    /** Console errors and uncaught exceptions: a CSP refusal shows up here. */
    const problems: string[] = [];

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      app = await startApp();
      for (const { delivery } of seedHistory()) {
        const answer = await post(app.url, delivery);
        expect(answer.status).toBe(200);
        position = String(answer.body.position);
      }
      // A verified delivery no projection reads: operations lists it as not understood.
      const unknown = await post(
        app.url,
        standardDelivery({ type: 'invoice.paid', data: { invoice: 'in_1' } }, 'msg_console_1'),
      );
      expect(unknown.body).toMatchObject({ status: 'recorded', understood: false });
      position = String(unknown.body.position);
      // Every read below sees the whole seeded history.
      expect((await get(app.url, `/campaigns?atPosition=${position}`, read)).status).toBe(200);
      profile = mkdtempSync(join(tmpdir(), 'referral-ledger-chromium-'));
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1280, height: 900 },
        timezoneId: 'America/New_York',
        locale: 'en-US',
      });
      page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(10_000);
      page.on('console', (message) => {
        // The API's refusals the pages expect (the key check, a search's misses) are logged too.
        const expected = /^Failed to load resource: .* status of (401|403|404) /.test(
          message.text(),
        );
        if (message.type() === 'error' && !expected) problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await app?.dispose();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    afterEach(() => {
      expect(problems.splice(0)).toEqual([]);
    });

    const shot = (name: string, fullPage = true) =>
      page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });

    const signIn = async (key: string) => {
      await page.goto(`${app.url}/console/`);
      // Either the login form or, with a key kept in this tab, the pages.
      await page.locator('#api-key, #session:not([hidden])').first().waitFor();
      const signOut = page.getByRole('button', { name: 'Sign out' });
      if (await signOut.isVisible()) await signOut.click();
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Open the console' }).click();
      await page.getByRole('heading', { name: 'Programs', level: 1 }).waitFor();
    };

    it('serves its pages under a strict Content-Security-Policy, with no inline script', async () => {
      const redirect = await fetch(`${app.url}/console`, { redirect: 'manual' });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get('location')).toBe('/console/');
      const index = await fetch(`${app.url}/console/`);
      expect(index.status).toBe(200);
      const csp = index.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await index.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle=|\son[a-z]+=/);
      const script = await fetch(`${app.url}/console/app.js`);
      expect(script.headers.get('content-type')).toMatch(/javascript/);
      expect(script.headers.get('content-security-policy')).toBe(csp);
      expect((await fetch(`${app.url}/console/../package.json`)).status).toBe(404);
    });

    it("leaves the API's own refusals as they were: an oversized body is still problem+json", async () => {
      // Registering the static files once loaded Fastify's plugins early, before Nest's error handler.
      const answer = await fetch(`${app.url}/webhooks/growsurf`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'x'.repeat(2 * 1024 * 1024),
      });
      expect(answer.status).toBe(413);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });

    it("answers a campaign's referrals by day for the chart, and 404 for an unknown campaign", async () => {
      const answer = await get(app.url, '/campaigns/growsurf/ct8f71/ct8f71/referrals-by-day', read);
      expect(answer.status).toBe(200);
      const today = new Date().toISOString().slice(0, 10);
      expect(answer.body).toEqual({
        campaignKey: 'growsurf:ct8f71:ct8f71',
        days: [{ day: today, total: 3, pending: 1, approved: 2, voided: 0, other: 0 }],
      });
      const unknown = await get(app.url, '/campaigns/growsurf/nope/nope/referrals-by-day', read);
      expect(unknown.status).toBe(404);
      expect(
        (await get(app.url, '/campaigns/growsurf/ct8f71/ct8f71/referrals-by-day')).status,
      ).toBe(401);
    });

    it('refuses an unknown key and lets a read key browse the programs with their chart', async () => {
      await page.goto(`${app.url}/console/`);
      await page.getByLabel('API key').fill('not-a-key-of-this-service');
      await page.getByRole('button', { name: 'Open the console' }).click();
      await page.getByText('The service does not know this key.').waitFor();
      await shot('login-refused');

      await signIn(TEST_SECRETS.readApiKey);
      await expect(page.locator('#scope').textContent()).resolves.toBe('read key');
      const growsurf = page.locator('[data-campaign="growsurf:ct8f71:ct8f71"]');
      await growsurf.getByRole('heading', { name: 'Middle-Out Compression Launch' }).waitFor();
      await expect(growsurf.locator('.chip').first().textContent()).resolves.toBe('ended');
      await expect(growsurf.locator('.count-approved .n').textContent()).resolves.toBe('2');
      // The winner, by name once looked up, linked to the participant.
      await growsurf.getByRole('link', { name: 'Richard Hendricks' }).waitFor();
      // The chart: one day, approved and pending stacked.
      await growsurf.locator('svg.chart rect.series-approved').waitFor();
      await expect(growsurf.locator('svg.chart rect.series-pending').count()).resolves.toBe(1);
      await shot('programs');
    });

    it("shows a campaign's leaderboard, paginated", async () => {
      await page.goto(`${app.url}/console/#/campaigns/growsurf/ct8f71/ct8f71`);
      await page.getByRole('heading', { name: 'Leaderboard' }).waitFor();
      const row = page
        .locator('table', { hasText: 'Advocates by approved referrals' })
        .locator('tbody tr');
      await expect(row.count()).resolves.toBe(1);
      await expect(row.first().innerText()).resolves.toMatch(
        /^1\s+Richard Hendricks\s+richard@piedpiper\.com\s+2\s+3$/,
      );
      await shot('leaderboard');
    });

    it('finds participants by email and by id across providers', async () => {
      await page.goto(`${app.url}/console/#/search?q=richard%40piedpiper.com`);
      await page.getByRole('link', { name: 'Richard Hendricks' }).waitFor();
      await shot('search-email');
      await page.getByLabel('Email or participant id').fill('uxjbxu');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('link', { name: 'Billy Smith' }).waitFor();
      await page.getByLabel('Email or participant id').fill('nobody@example.com');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('Nobody found for “nobody@example.com”.').waitFor();
    });

    it("shows Bob's balances with the assumed currency marked, and keeps deliveries for admin keys", async () => {
      await page.goto(
        `${app.url}/console/#/participants/talkable/test-site/referrer%40example.com`,
      );
      await page.getByRole('heading', { name: 'Bob Crane', level: 1 }).waitFor();
      const balances = page.locator('table', { hasText: 'Cash rewards per currency' });
      await expect(balances.locator('tbody tr').first().innerText()).resolves.toMatch(
        /^USD\s+assumed\s+0\.00 USD\s+5\.00 USD\s+10\.00 USD\s+0\.00 USD$/,
      );
      await expect(page.locator('.timeline .entry').count()).resolves.toBeGreaterThan(0);
      await expect(
        page.getByRole('link', { name: 'Delivery and re-verify' }).count(),
      ).resolves.toBe(0);
      await shot('participant-bob');
    });

    it("follows one of Richard's ledger entries to its delivery and re-verifies it (admin key)", async () => {
      await signIn(TEST_SECRETS.adminApiKey);
      await expect(page.locator('#scope').textContent()).resolves.toBe('admin key');
      await page.goto(`${app.url}/console/#/participants/growsurf/ct8f71/x9a7uu`);
      await page.getByRole('heading', { name: 'Richard Hendricks', level: 1 }).waitFor();
      const balances = page.locator('table', { hasText: 'Cash rewards per currency' });
      await expect(balances.locator('tbody tr').first().innerText()).resolves.toMatch(
        /^USD\s+0\.00 USD\s+25\.00 USD\s+0\.00 USD\s+0\.00 USD$/,
      );
      const entries = page.locator('.timeline .entry');
      await expect(entries.count()).resolves.toBeGreaterThanOrEqual(3);
      const outcomes = await entries.locator('.outcome').allTextContents();
      expect(outcomes).toContain('applied');
      await expect(page.locator('.outcomes').innerText()).resolves.toBe(
        `${outcomes.length} entries: ${outcomes.length} applied`,
      );
      // Times in the viewer's zone, the exact timestamp on hover.
      const stamp = entries.first().locator('time');
      await expect(stamp.getAttribute('title')).resolves.toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(shown in America\/New_York\)$/,
      );
      await shot('participant-richard');

      const first = entries.first();
      const eventId = await first.getAttribute('data-event-id');
      await first.getByRole('link', { name: 'Delivery and re-verify' }).click();
      await page.getByRole('heading', { name: 'Verified again' }).waitFor();
      const verification = page.locator('section.verification');
      await expect(verification.innerText()).resolves.toMatch(/Checked\s+\S.+/);
      await expect(verification.innerText()).resolves.toContain('growsurf-signature');
      await page.getByText(eventId!).waitFor();
      await page.getByRole('heading', { name: 'Payload' }).waitFor();
      await shot('delivery');
    });

    it("shows Billy's friend view: who referred him", async () => {
      await page.goto(`${app.url}/console/#/participants/growsurf/ct8f71/uxjbxu`);
      await page.getByRole('heading', { name: 'Billy Smith', level: 1 }).waitFor();
      await page.getByText('Referred by').first().waitFor();
      await shot('participant-billy');
    });

    it('says so when a participant is unknown, instead of an empty page', async () => {
      await page.goto(`${app.url}/console/#/participants/growsurf/ct8f71/nobody`);
      const alert = page.getByRole('alert');
      await expect(alert.innerText()).resolves.toBe(
        'Could not show this page. Not Found: no participant growsurf/ct8f71/nobody',
      );
      await shot('participant-unknown');
    });

    it('starts a rebuild from the operations page and watches it until the switch, pages answering meanwhile', async () => {
      await page.goto(`${app.url}/console/#/operations`);
      await page.getByRole('heading', { name: 'Projections', level: 2 }).waitFor();
      const status = page.locator('table', { hasText: 'Checkpoint and lag' });
      // The heading is drawn before the status arrives.
      await status.locator('tbody tr').first().waitFor();
      await expect(status.locator('tbody tr').count()).resolves.toBeGreaterThanOrEqual(3);
      const notUnderstood = page.locator('table', { hasText: 'kept but not projected' });
      await expect(notUnderstood.locator('tbody tr').first().innerText()).resolves.toContain(
        'standard.invoice.paid',
      );
      await shot('operations');
      await notUnderstood.getByRole('link', { name: 'open' }).first().click();
      await page.getByRole('heading', { name: 'Verified again' }).waitFor();
      await expect(page.locator('section.verification').innerText()).resolves.toContain(
        'standard-webhooks',
      );
      await shot('delivery-not-understood');
      await page.goBack();
      await status.locator('tbody tr').first().waitFor();
      const before = await get(app.url, '/projections/status', {
        'x-api-key': TEST_SECRETS.adminApiKey,
      });
      const liveBefore = String(before.body.live);

      // Every state and phase the page shows, in order (test code has no DOM types: sent as text).
      await page.evaluate(`(() => {
        const seen = (window.rebuildStates = []);
        new MutationObserver(() => {
          const shown = document.querySelector('.rebuild-progress');
          const state = shown && shown.dataset.state + (shown.dataset.phase ? ':' + shown.dataset.phase : '');
          if (state && seen[seen.length - 1] !== state) seen.push(state);
        }).observe(document.getElementById('view'), { childList: true, subtree: true });
      })()`);
      await page.getByRole('button', { name: 'Start rebuild' }).click();
      const during = await get(app.url, '/participants/growsurf/ct8f71/x9a7uu', read);
      expect(during.status).toBe(200);
      const progress = page.locator('.rebuild-progress[data-state="switched"]');
      await progress.waitFor({ timeout: 20_000 });
      await progress.getByText('Rebuild finished: the new read models are live').waitFor();
      await expect(
        progress.getByText('Started from').locator('xpath=following-sibling::dd[1]').textContent(),
      ).resolves.toBe('this console');
      const bars = await Promise.all(
        (await progress.locator('progress').all()).map((bar) => bar.getAttribute('value')),
      );
      expect(bars.length).toBeGreaterThanOrEqual(3);
      expect(bars.every((value) => value === '100')).toBe(true);
      const states = await page.evaluate<string[]>('window.rebuildStates');
      expect(states[0]).toMatch(/^building/);
      expect(states[states.length - 1]).toBe('switched');
      await shot('operations-rebuilt');
      const after = await get(app.url, '/projections/status', {
        'x-api-key': TEST_SECRETS.adminApiKey,
      });
      expect(after.body.live).not.toBe(liveBefore);
      // The ledger is the same after the switch.
      const richard = await get(app.url, '/participants/growsurf/ct8f71/x9a7uu', read);
      expect(richard.body).toEqual(during.body);
    }, 40_000);

    it('stays readable on a phone: nothing wider than the screen', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const [name, hash] of [
        ['phone-programs', '#/programs'],
        ['phone-participant', '#/participants/growsurf/ct8f71/x9a7uu'],
        ['phone-operations', '#/operations'],
      ] as const) {
        await page.goto(`${app.url}/console/${hash}`);
        await page.locator('main h1').first().waitFor();
        await page.locator('.state.loading').first().waitFor({ state: 'detached' });
        // The page's own width past the screen's (test code has no DOM types: the expression is sent as text).
        const overflow = Number(
          await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
        );
        expect({ name, overflow }).toEqual({ name, overflow: 0 });
        await shot(name);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  });
}
