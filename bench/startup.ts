/**
 * How fast the commands start, as a user runs them (whole process, wall clock, median of 5 after one
 * warm-up): before — the TypeScript sources through tsx at every start — and after — the compiled
 * commands that `npm ci` builds (scripts/build.js) and bin/ starts. Before and after run in turn, pair
 * by pair, so a machine whose speed drifts skews both alike; each pair's output must be the same.
 *   earshot --help, earshot case list (a data folder with 3 cases): goal < 200 ms
 *   earshot-device analyze of a 10-minute 48 kHz 16-bit mono WAV: goal ≥ 800× real time
 * Run: npx tsx bench/startup.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav } from '../firmware/src/audio/index.ts';
import { compiledEntry } from '../scripts/build-state.js';
import { pinkNoise } from './signals.ts';

const RUNS = 5;
const WARMUP = 1;
const FS = 48_000;
const WAV_SECONDS = 600;
/** The goals (issue "Commands that start at once"). */
const START_GOAL_S = 0.2;
const ANALYZE_GOAL_X = 800;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'earshot-startup-'));
const env = { ...process.env, EARSHOT_DATA_DIR: join(dir, 'data') };

interface Launch {
  readonly before: readonly string[];
  readonly after: readonly string[];
}
const earshot: Launch = { before: ['--import', 'tsx', join(root, 'ingest/src/cli/entry.ts')], after: [join(root, 'ingest/bin/earshot.js')] };
const device: Launch = { before: ['--import', 'tsx', join(root, 'firmware/src/cli/entry.ts')], after: [join(root, 'firmware/bin/earshot-device.js')] };

function run(args: readonly string[], input = ''): { seconds: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, env, input, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function compare(launch: Launch, args: readonly string[]): { before: number; after: number } {
  const before: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const b = run([...launch.before, ...args]);
    const a = run([...launch.after, ...args]);
    if (a.stdout !== b.stdout) throw new Error(`${args.join(' ')}: the compiled command's output differs from the sources'`);
    if (i < WARMUP) continue;
    before.push(b.seconds);
    after.push(a.seconds);
  }
  return { before: median(before), after: median(after) };
}

try {
  // The compiled commands, current with the sources (as `npm ci` leaves them).
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.js'), '--quiet'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');
  // A source edited since would make the launchers run it through tsx, and "after" would time the sources.
  for (const pkg of ['ingest', 'firmware']) {
    if (compiledEntry(join(root, pkg, 'dist/cli/')) === null) throw new Error(`${pkg}: a source changed during the build, so the commands would not run compiled; run the bench again`);
  }
  run([...earshot.after, 'user', 'add', 'jsmith', '--name', 'Jo Smith', '--initials', 'JS', '--role', 'officer', '--password-stdin'], 'startup-bench-password\n');
  for (const flat of [3, 7, 12]) run([...earshot.after, 'case', 'open', '--category', 'general', '--officer', 'jsmith', '--address', `Flat ${flat}, Bench Court`]);
  const wav = join(dir, 'analyze-10min-48k-s16.wav');
  writeFileSync(wav, encodeWav(pinkNoise(FS * WAV_SECONDS, 0.3, 11), { encoding: 'int', bitsPerSample: 16, sampleRate: FS }));

  const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
  const goal = (met: boolean): string => (met ? 'met' : 'NOT met');
  const help = compare(earshot, ['--help']);
  const list = compare(earshot, ['case', 'list']);
  const analyze = compare(device, ['analyze', wav]);
  const x = (s: number): number => WAV_SECONDS / s;
  console.log(`start-up, whole process, median of ${RUNS} (before: TypeScript through tsx; after: compiled)`);
  console.log(`  earshot --help            before ${ms(help.before)}, after ${ms(help.after)} (goal < ${ms(START_GOAL_S)}: ${goal(help.after < START_GOAL_S)})`);
  console.log(`  earshot case list         before ${ms(list.before)}, after ${ms(list.after)} (goal < ${ms(START_GOAL_S)}: ${goal(list.after < START_GOAL_S)})`);
  console.log(
    `  earshot-device analyze    10 min 48 kHz 16-bit WAV: before ${analyze.before.toFixed(2)} s (${x(analyze.before).toFixed(0)}x real time), ` +
      `after ${analyze.after.toFixed(2)} s (${x(analyze.after).toFixed(0)}x) (goal >= ${ANALYZE_GOAL_X}x: ${goal(x(analyze.after) >= ANALYZE_GOAL_X)})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
