'use strict';
/**
 * Runs a benchmark written in TypeScript the way the service's own threads run
 * from source (src/threads/transpile-hook.ts), not under ts-node: ts-node loads
 * node:repl, which loads node:domain, and with node:domain loaded every
 * EventEmitter.emit of the process takes a slower path (sockets, streams,
 * worker ports), which production, running compiled JavaScript, never does.
 *
 * Usage: node bench/run.js bench/<name>.bench.ts
 */
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const ts = require('typescript');

const hookTs = join(__dirname, '..', 'src', 'threads', 'transpile-hook.ts');
const js = ts.transpileModule(readFileSync(hookTs, 'utf8'), {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  fileName: hookTs,
}).outputText;
const hookModule = { exports: {} };
new Function('exports', 'require', 'module', '__filename', '__dirname', js)(
  hookModule.exports,
  require,
  hookModule,
  hookTs,
  join(__dirname, '..', 'src', 'threads'),
);
require(hookModule.exports.transpileHookFile());
const script = process.argv[2];
if (script === undefined) throw new Error('usage: node bench/run.js bench/<name>.bench.ts');
process.argv.splice(1, 2, resolve(script));
require(resolve(script));
