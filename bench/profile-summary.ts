// Summarises a V8 .cpuprofile (node --cpu-prof; BENCH_GATEWAY_NODE_ARGS profiles the gateway in
// `npm run bench`): self time by function and by package, and inclusive time of the functions
// whose names match a filter — enough to see where a CPU-bound run spends its time.
//
//   npx tsx bench/profile-summary.ts FILE.cpuprofile [top=25] [inclusive-filter-regex]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [top] [filter]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg ?? 25);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const self = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const where = (node: ProfileNode) => {
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
  return `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
};
const pkg = (node: ProfileNode) => {
  const url = node.callFrame.url;
  const modules = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  // node:internal/deps/undici (fetch), node:internal/webstreams, node:internal/streams…
  if (url.startsWith('node:internal/deps/')) return url.split('/').slice(0, 3).join('/');
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  if (url.includes('/src/')) return 'src/' + url.split('/src/')[1]!.split('/')[0];
  if (url.includes('/generated/')) return 'generated';
  return url === '' ? `(${node.callFrame.functionName || 'native'})` : url;
};

function table(title: string, entries: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  }
}

const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  byFunction.set(where(node), (byFunction.get(where(node)) ?? 0) + us);
  byPackage.set(pkg(node), (byPackage.get(pkg(node)) ?? 0) + us);
}
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
table('self time by package', byPackage);
table('self time by function', byFunction);

if (filter) {
  // Inclusive: a sample counts once for each matching function on its stack.
  const pattern = new RegExp(filter);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = where(byId.get(at)!);
      if (pattern.test(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      }
    }
  }
  table(`inclusive time of functions matching /${filter}/`, inclusive);
}

// PROFILE_STACKS=regex: the commonest caller chains (8 frames) of the functions that match.
if (process.env.PROFILE_STACKS) {
  const pattern = new RegExp(process.env.PROFILE_STACKS);
  const stacks = new Map<string, number>();
  for (const [id, us] of self) {
    if (!pattern.test(where(byId.get(id)!))) continue;
    const frames: string[] = [];
    for (let at: number | undefined = id; at !== undefined && frames.length < 8; at = parent.get(at))
      frames.push(where(byId.get(at)!));
    const key = frames.join('\n      ← ');
    stacks.set(key, (stacks.get(key) ?? 0) + us);
  }
  table(`caller chains of /${process.env.PROFILE_STACKS}/`, stacks);
}
