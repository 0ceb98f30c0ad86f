/**
 * Where the ingest's CPU per message goes: `earshot serve` under `node --cpu-prof`
 * with N devices for one window (or, with `readmit`, while N monitors reconnect
 * at once after a restart), each thread's profile summarised by part — every
 * sample is counted under the part of the innermost frame that belongs to one
 * (profile-parts.ts) — and by self time per function.
 * The profiler samples wall time on each thread: a thread blocked in fsync(2) at
 * a commit is counted there too.
 * With `idle`, N devices are registered and none connects: the service's cost of its timers alone.
 * Run: npx tsx bench/ingest-load/profile-serve.ts [N] [seconds | readmit | idle] [profile dir]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFleet, planWindow, registerFleet, type SimDevice } from './fleet.ts';
import { connectUpTo, emptyFleet, runWindow } from './load.ts';
import { cpuSeconds, startIngest } from './peers.ts';
import { partOf } from './profile-parts.ts';
import { readmit } from './readmit.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const n = Number(process.argv[2] ?? 2_000);
const readmission = process.argv[3] === 'readmit';
/** `idle`: N devices registered, none connected, for 30 s: what the service costs doing nothing. */
const idle = process.argv[3] === 'idle';
const seconds = readmission ? 0 : idle ? 30 : Number(process.argv[3] ?? 20);
const profDir = process.argv[4] ?? mkdtempSync(join(tmpdir(), 'earshot-prof-'));
mkdirSync(profDir, { recursive: true });

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; parent?: Node }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Self time per function over the samples taken between `fromEndUs` and `toEndUs` before the profile's end. */
function summarise(file: string, fromEndUs: number, toEndUs: number): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  for (const x of p.nodes) for (const c of x.children ?? []) byId.get(c)!.parent = x;
  const self = new Map<string, number>();
  const parts = new Map<string, number>();
  let total = 0;
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!)!;
    const dt = p.timeDeltas[i] ?? 0;
    at += dt;
    if (at < p.endTime - fromEndUs || at > p.endTime - toEndUs) continue;
    total += dt;
    const f = node.callFrame;
    if (f.functionName !== '(idle)') {
      const frames = [];
      for (let at: Node | undefined = node; at !== undefined; at = at.parent) frames.push(at.callFrame);
      const part = partOf(frames);
      parts.set(part, (parts.get(part) ?? 0) + dt);
    }
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, 'nm/').replace(/^file:\/\/.*?\/work\/main\//, '')}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const idle = [...self].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0);
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((total - idle) / 1e6).toFixed(1)} s busy`);
  if (total - idle < 0.05 * total) return;
  console.log('  by part:');
  for (const [k, v] of [...parts].sort((a, b) => b[1] - a[1])) console.log(`${(100 * v / (total - idle)).toFixed(1).padStart(5)} %  ${k}`);
  console.log('  by function (self):');
  for (const [k, v] of [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${(100 * v / (total - idle)).toFixed(1).padStart(5)} %  ${k}`);
}

/** The measured span, as times (performance.now()) of its start, its end, and the profiled service's exit. */
interface Span { from: number; to: number; end: number }

/** Every monitor connects once, the service restarts under the profiler, and they all reconnect at once. */
async function profileReadmission(devices: SimDevice[], dataDir: string, secret: string, log: string): Promise<Span> {
  const first = await startIngest(ROOT, dataDir, log);
  const fleet = emptyFleet();
  await connectUpTo(fleet, devices, n, first.port, secret);
  await fleet.end();
  await first.stop();
  const again = await startIngest(ROOT, dataDir, log, ['--cpu-prof', '--cpu-prof-dir', profDir]);
  const cpu0 = cpuSeconds(again.pid);
  const from = performance.now();
  const r = await readmit(devices, n, again.port, secret);
  const to = performance.now();
  console.log(`readmitted ${r.admitted} of ${r.n} in ${r.seconds.toFixed(1)} s (${r.attempts} CONNECT attempts); server CPU ${(cpuSeconds(again.pid) - cpu0).toFixed(1)} s`);
  await again.stop();
  return { from, to, end: performance.now() };
}

/** N devices registered, none connected: the service doing nothing for `seconds`. */
async function profileIdle(dataDir: string, log: string): Promise<Span> {
  const ingest = await startIngest(ROOT, dataDir, log, ['--cpu-prof', '--cpu-prof-dir', profDir]);
  const cpu0 = cpuSeconds(ingest.pid);
  const from = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const to = performance.now();
  console.log(`idle with ${n} devices registered: server CPU ${(cpuSeconds(ingest.pid) - cpu0).toFixed(1)} s in ${seconds} s`);
  await ingest.stop();
  return { from, to, end: performance.now() };
}

/** N devices connected, then one window of their traffic. */
async function profileWindow(devices: SimDevice[], dataDir: string, secret: string, log: string): Promise<Span> {
  const ingest = await startIngest(ROOT, dataDir, log, ['--cpu-prof', '--cpu-prof-dir', profDir]);
  const fleet = emptyFleet();
  const c0 = performance.now();
  await connectUpTo(fleet, devices, n, ingest.port, secret);
  console.log(`connected ${n} in ${((performance.now() - c0) / 1000).toFixed(1)} s`);
  const plan = planWindow(devices, n, seconds * 1000, Date.now() + 1_000, 0);
  const cpu0 = cpuSeconds(ingest.pid);
  const from = performance.now();
  const r = await runWindow(fleet, plan, seconds * 1000, () => 0);
  const to = performance.now();
  const cpu = cpuSeconds(ingest.pid) - cpu0;
  console.log(`sent ${r.sent}, acked ${r.acked}, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms; server CPU ${cpu.toFixed(1)} s = ${(1000 * cpu / Math.max(1, r.acked)).toFixed(2)} ms/msg`);
  await fleet.end();
  await ingest.stop();
  return { from, to, end: performance.now() };
}

const work = mkdtempSync(join(tmpdir(), 'earshot-prof-load-'));
try {
  const devices = makeFleet(n);
  const dataDir = join(work, 'data');
  const secret = registerFleet(dataDir, devices);
  const log = join(work, 'serve.log');
  const span = readmission ? await profileReadmission(devices, dataDir, secret, log) : idle ? await profileIdle(dataDir, log) : await profileWindow(devices, dataDir, secret, log);
  for (const f of readdirSync(profDir).filter((x) => x.endsWith('.cpuprofile'))) summarise(join(profDir, f), 1000 * (span.end - span.from), 1000 * (span.end - span.to));
} finally {
  rmSync(work, { recursive: true, force: true });
}
