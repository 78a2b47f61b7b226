/**
 * Reads a `.env` file into the environment before the configuration is loaded, for the
 * service and its commands (rebuild, verify, send). A variable the process environment already
 * has, even empty, is left as it is: the environment wins, as with Node's `--env-file` and
 * Docker Compose. Not `--env-file` itself: on Node 20 a missing file stops the process (there is
 * no `--env-file-if-exists` before Node 22.9) and `npm start` would need it in package.json's
 * command line; not `util.parseEnv` either, which Node 20.11 (our `engines` floor) lacks.
 *
 * The syntax is the part Docker Compose's `env_file` reads the same way, so one file serves
 * `npm start` and `docker compose up`: `NAME=value`, optional `export `, `#` comments, an inline
 * ` #` comment after an unquoted value only when preceded by whitespace, double quotes with `\n`,
 * `\r`, `\t`, `\"` and `\\` escapes (and lines up to the closing quote), single quotes taken
 * literally. No `${VAR}` expansion: `$` is kept as written.
 *
 * Nothing here ever prints a value: a problem names the file, the line and at most the name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config/load-config';

export interface EnvFileResult {
  /** The file read (absolute), or undefined when none was read. */
  readonly file: string | undefined;
  /** Names the file set. */
  readonly applied: readonly string[];
  /** Names the file also has but the environment had already set: the environment's value stays. */
  readonly kept: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '"': '"',
  '\\': '\\',
};

/**
 * The file's settings in order (a name given twice keeps its last value). Throws a ConfigError
 * listing every line it cannot read.
 */
export function parseEnvFile(text: string, file: string): Map<string, string> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const settings = new Map<string, string>();
  const problems: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const assignment = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const equals = assignment.indexOf('=');
    const name = (equals < 0 ? assignment : assignment.slice(0, equals)).trim();
    if (equals < 0 || !NAME.test(name)) {
      problems.push(`${file} line ${lineNumber}: expected NAME=value`);
      continue;
    }
    const value = assignment.slice(equals + 1);
    const rest = value.trimStart();
    const quote = rest[0];
    if (quote !== '"' && quote !== "'") {
      settings.set(name, unquoted(value));
      continue;
    }
    // A quoted value may go on over the next lines (a PEM key), up to its closing quote.
    let source = rest.slice(1);
    let end = closingQuote(source, quote);
    while (end < 0 && i + 1 < lines.length) {
      i += 1;
      source += `\n${lines[i]!}`;
      end = closingQuote(source, quote);
    }
    if (end < 0) {
      problems.push(`${file} line ${lineNumber}: ${name}'s ${quote} quote is never closed`);
      break;
    }
    const after = source.slice(end + 1).trim();
    if (after !== '' && !after.startsWith('#')) {
      problems.push(`${file} line ${lineNumber}: ${name} has text after its closing quote`);
      continue;
    }
    const raw = source.slice(0, end);
    settings.set(
      name,
      quote === "'" ? raw : raw.replace(/\\(.)/g, (all, c: string) => ESCAPES[c] ?? all),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/**
 * Sets, in `env`, every setting of the env file its environment does not have yet.
 *
 * Which file: `ENV_FILE` when set (relative to `cwd`; it must exist, since it was asked for), else
 * `.env` in `cwd` if there is one. `ENV_FILE=` (empty) reads none, for a process that must see
 * only the environment it was given.
 */
export function loadEnvFile(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): EnvFileResult {
  const asked = env.ENV_FILE;
  if (asked === '') return { file: undefined, applied: [], kept: [] };
  const file = resolve(cwd, asked ?? '.env');
  if (!existsSync(file)) {
    if (asked === undefined) return { file: undefined, applied: [], kept: [] };
    throw new ConfigError([`ENV_FILE: ${file} does not exist`]);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([`${file} cannot be read (${code})`]);
  }
  const applied: string[] = [];
  const kept: string[] = [];
  for (const [name, value] of parseEnvFile(text, file)) {
    if (env[name] === undefined) {
      env[name] = value;
      applied.push(name);
    } else kept.push(name);
  }
  return { file, applied, kept };
}

/** One line for the boot log: the file and the names it set, never a value. */
export function describeEnvFile(result: EnvFileResult): string | undefined {
  if (result.file === undefined) return undefined;
  const kept =
    result.kept.length > 0 ? `; kept from the environment: ${result.kept.join(', ')}` : '';
  return `settings read from ${result.file}: ${result.applied.join(', ') || 'none'}${kept}`;
}

/** An unquoted value ends at a `#` that follows whitespace (a comment), as Compose reads it. */
function unquoted(value: string): string {
  const comment = value.search(/\s#/);
  return (comment < 0 ? value : value.slice(0, comment)).trim();
}

/** Index of the quote that closes a value (double quotes may be escaped), or -1. */
function closingQuote(source: string, quote: string): number {
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quote === '"' && c === '\\') i += 1;
    else if (c === quote) return i;
  }
  return -1;
}
