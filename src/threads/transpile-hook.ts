/**
 * How TypeScript of this repository runs from source outside ts-node and
 * jest's own transform: in a worker thread started from `src/`, and in the
 * child processes the e2e suites spawn (node -r <hook>). Each file is
 * transpiled exactly as ts-node's transpile-only mode does
 * (`ts.transpileModule` with tsconfig.json), and its output is cached on disk
 * by content, so that only the first start of a file pays for it (requiring
 * typescript alone takes ~0.3 s; transpiling the service ~3 s of CPU).
 *
 * The hook is plain CommonJS that node loads before any TypeScript support
 * exists, so it is written out from here into the temp directory.
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

/** The hook's file (written on first use): `require` it, or pass it to node's `-r`. */
export function transpileHookFile(): string {
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
