/**
 * Where the ingest's CPU per message goes: `earshot serve` under `node --cpu-prof`
 * with N devices for one window, the profile summarised by self time per function.
 * Run: npx tsx bench/ingest-load/profile-serve.ts [N] [seconds] [profile dir]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFleet, planWindow, registerFleet } from './fleet.ts';
import { connectUpTo, emptyFleet, runWindow } from './load.ts';
import { cpuSeconds, startIngest } from './peers.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const n = Number(process.argv[2] ?? 2_000);
const seconds = Number(process.argv[3] ?? 20);
const profDir = process.argv[4] ?? mkdtempSync(join(tmpdir(), 'earshot-prof-'));
mkdirSync(profDir, { recursive: true });

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Self time per function over the samples taken between `fromEndUs` and `toEndUs` before the profile's end. */
function summarise(file: string, fromEndUs: number, toEndUs: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const self = new Map<string, number>();
  let total = 0;
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!)!;
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (at < p.endTime - fromEndUs || at > p.endTime - toEndUs) continue;
    total += dt;
    const f = node.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/.*?\/work\/main\//, '')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((total - idle) / 1e6).toFixed(1)} s busy`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${(100 * v / (total - idle)).toFixed(1).padStart(5)} %  ${k}`);
}

const work = mkdtempSync(join(tmpdir(), 'earshot-prof-load-'));
try {
  const devices = makeFleet(n);
  const dataDir = join(work, 'data');
  const secret = registerFleet(dataDir, devices);
  const ingest = await startIngest(ROOT, dataDir, join(work, 'serve.log'), ['--cpu-prof', '--cpu-prof-dir', profDir]);
  const fleet = emptyFleet();
  const c0 = performance.now();
  await connectUpTo(fleet, devices, n, ingest.port, secret);
  console.log(`connected ${n} in ${((performance.now() - c0) / 1000).toFixed(1)} s`);
  const plan = planWindow(devices, n, seconds * 1000, Date.now() + 1_000, 0);
  const cpu0 = cpuSeconds(ingest.pid);
  const w0 = performance.now();
  const r = await runWindow(fleet, plan, seconds * 1000, () => 0);
  const w1 = performance.now();
  const cpu = cpuSeconds(ingest.pid) - cpu0;
  console.log(`sent ${r.sent}, acked ${r.acked}, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms; server CPU ${cpu.toFixed(1)} s = ${(1000 * cpu / Math.max(1, r.acked)).toFixed(2)} ms/msg`);
  await fleet.end();
  await ingest.stop();
  const end = performance.now();
  for (const f of readdirSync(profDir).filter((x) => x.endsWith('.cpuprofile'))) summarise(join(profDir, f), 1000 * (end - w0), 1000 * (end - w1));
} finally {
  rmSync(work, { recursive: true, force: true });
}
