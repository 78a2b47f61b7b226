/**
 * The layering is in the lint config, not in a wiki: `npm run lint` must fail
 * on an import that runs against it. Probe files that break the rule are
 * written into two rooms, linted with the project's own config in one run, and
 * removed.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

const PROBES: Record<string, string> = {
  // A pure projection may not touch storage or the engine.
  'src/projections/layering-probe.ts': [
    "import type Database from 'better-sqlite3';",
    "import type { ReadModels } from '../read-models/read-models';",
    'export type Probe = [Database.Database, ReadModels];',
  ].join('\n'),
  // A provider sits below the HTTP intake that uses it.
  'src/providers/layering-probe.ts': [
    "import { WebhooksService } from '../webhooks/webhooks.service';",
    'export const probe = WebhooksService;',
  ].join('\n'),
};

async function lintProbes(): Promise<string> {
  const files = Object.keys(PROBES).map((path) => join(root, path));
  Object.entries(PROBES).forEach(([path, source]) =>
    writeFileSync(join(root, path), `${source}\n`),
  );
  try {
    const eslint = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
    await run(process.execPath, [eslint, ...files], { cwd: root });
    return '';
  } catch (error) {
    return String((error as { stdout?: unknown }).stdout);
  } finally {
    files.forEach((file) => rmSync(file, { force: true }));
  }
}

describe('the layering rule in the lint config', () => {
  let output = '';
  beforeAll(async () => {
    output = await lintProbes();
  }, 120_000);

  it('fails lint when a pure projection imports SQLite or the read-model engine', () => {
    expect(output).toContain("'better-sqlite3' import is restricted");
    expect(output).toContain("'../read-models/read-models' import is restricted");
  });

  it('fails lint when a provider imports the HTTP intake above it', () => {
    expect(output).toContain("'../webhooks/webhooks.service' import is restricted");
  });
});
