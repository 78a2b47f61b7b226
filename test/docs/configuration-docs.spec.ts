/**
 * The README's configuration table and .env.example are where an operator learns the settings:
 * every variable loadConfig reads must be in both, and every row of the table must render as one
 * row (a `|` inside a cell, even in backticks, splits it on some renderers).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** Variables read by the commands themselves, outside loadConfig (src/cli/). */
const COMMAND_VARIABLES = ['ENV_FILE', 'WIX_APP_PRIVATE_KEY', 'VERIFY_WAIT_SECONDS'];

function variablesLoadConfigReads(): string[] {
  const source = read('src/config/load-config.ts');
  const names = new Set<string>();
  for (const call of source.matchAll(/\bread\.\w+\(([^)]*)\)/g)) {
    for (const name of call[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'/g)) names.add(name[1]!);
  }
  return [...names].sort();
}

function configurationTable(): string[][] {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  const body = section.slice(0, section.indexOf('\n## ', 1));
  return body
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').slice(1, -1));
}

describe('configuration documentation', () => {
  it('finds the variables loadConfig reads (the pattern still matches the code)', () => {
    expect(variablesLoadConfigReads()).toEqual(
      expect.arrayContaining(['PORT', 'DATA_DIR', 'API_READ_KEYS', 'API_ADMIN_KEYS', 'LOG_LEVEL']),
    );
  });

  it("lists every variable in the README's configuration table, each row three cells", () => {
    const rows = configurationTable();
    expect(rows.length).toBeGreaterThan(2);
    for (const row of rows)
      expect({ row: row.join('|'), cells: row.length }).toMatchObject({ cells: 3 });
    const documented = new Set(
      rows.flatMap((row) => [...row[0]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!)),
    );
    const expected = [...variablesLoadConfigReads(), ...COMMAND_VARIABLES];
    expect(expected.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !expected.includes(name))).toEqual([]);
  });

  it('gives every variable a line in .env.example', () => {
    const example = read('.env.example');
    const missing = [...variablesLoadConfigReads(), ...COMMAND_VARIABLES].filter(
      (name) => name !== 'ENV_FILE' && !new RegExp(`^#? ?${name}=`, 'm').test(example),
    );
    expect(missing).toEqual([]);
  });
});
