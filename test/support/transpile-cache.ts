/**
 * How the e2e suites run the service and the scripts from source in a child
 * process: TypeScript is transpiled file by file exactly as ts-node's
 * transpile-only mode does (`ts.transpileModule` with tsconfig.json), but each
 * file's output is cached on disk by content, so the dozen processes a run
 * spawns do not each transpile the whole app again. That costs ~3 s of CPU per
 * process; a process whose files are all cached starts in well under one.
 *
 * The hook is plain CommonJS that node loads with `-r` before any TypeScript
 * support exists, so it is written out from here into the temp directory
 * (a repository .js file would need a lint setup of its own).
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

const hookSource = (projectRoot: string): string => `'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const root = ${JSON.stringify(projectRoot)};
const tsconfigText = fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8');
const tsVersion = JSON.parse(
  fs.readFileSync(path.join(root, 'node_modules', 'typescript', 'package.json'), 'utf8'),
).version;
const cacheDir = path.join(require('node:os').tmpdir(), 'referral-ledger-transpiled');
fs.mkdirSync(cacheDir, { recursive: true });
let ts;
let compilerOptions;
function compiler() {
  // Loaded only on a cache miss: requiring typescript alone takes ~0.3 s.
  if (ts === undefined) {
    ts = require(path.join(root, 'node_modules', 'typescript'));
    const json = ts.parseConfigFileTextToJson('tsconfig.json', tsconfigText).config;
    const parsed = ts.parseJsonConfigFileContent(json, ts.sys, root);
    compilerOptions = { ...parsed.options, sourceMap: false, inlineSourceMap: true, declaration: false };
  }
  return ts;
}
require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = createHash('sha256')
    .update(tsVersion).update('\\0').update(tsconfigText).update('\\0')
    .update(filename).update('\\0').update(source)
    .digest('hex');
  const cached = path.join(cacheDir, key + '.js');
  let js;
  try {
    js = fs.readFileSync(cached, 'utf8');
  } catch {
    js = compiler().transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    // Another process may write the same file at the same time: each writes its own, then renames.
    const partial = cached + '.' + process.pid;
    fs.writeFileSync(partial, js);
    fs.renameSync(partial, cached);
  }
  module._compile(js, filename);
};
`;

let hookFile: string | undefined;

/** Node's arguments that run `entry` (a .ts file of this repository) from source. */
export function fromSourceArgs(entry: string): string[] {
  return ['--enable-source-maps', '-r', transpileHook(), entry];
}

function transpileHook(): string {
  if (hookFile !== undefined) return hookFile;
  const source = hookSource(root);
  const name = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const file = join(tmpdir(), `referral-ledger-transpile-hook-${name}.js`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, source);
    renameSync(partial, file);
  }
  hookFile = file;
  return file;
}
