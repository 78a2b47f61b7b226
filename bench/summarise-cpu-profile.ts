/**
 * Summarises a V8 CPU profile (`node --cpu-prof` writes one per thread, the
 * building writer's included): seconds per function, by self time and by
 * inclusive time, so that a rebuild's main thread and writer thread can be
 * read side by side. Samples are wall-clock while the thread runs: on a busy
 * machine compare shares within one profile, not seconds across runs.
 *
 *   node --cpu-prof --cpu-prof-dir=prof -r ts-node/register/transpile-only bench/rebuild.bench.ts
 *   npx ts-node --transpile-only bench/summarise-cpu-profile.ts prof/CPU.*.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function nameOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.split('/').slice(-2).join('/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function summarise(file: string, top: number): void {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  // Microseconds sampled in each node.
  const sampled = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    sampled.set(id, (sampled.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of sampled) {
    total += us;
    const node = byId.get(id);
    if (node === undefined) continue;
    self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + us);
    // A recursive function counts once per sample.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const ancestor = byId.get(at);
      if (ancestor === undefined) break;
      const name = nameOf(ancestor);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const lines = (times: Map<string, number>): string =>
    [...times]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) =>
          `${(us / 1e6).toFixed(2).padStart(8)} s ${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`,
      )
      .join('\n');
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
  console.log(`self:\n${lines(self)}`);
  console.log(`inclusive:\n${lines(inclusive)}\n`);
}

const args = process.argv.slice(2);
const last = args[args.length - 1];
const top = last !== undefined && /^\d+$/.test(last) ? Number(args.pop()) : 30;
for (const file of args) summarise(file, top);
