/**
 * `earshot-device analyze` on a 10-minute 48 kHz 16-bit mono WAV: the whole
 * process (start-up, reading, decoding, engine, output) as a user runs it, and
 * reading + decoding alone, to show the time is the engine's, not the file's.
 * Run: npx tsx bench/analyze-file.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WavFileReader, encodeWav } from '../firmware/src/audio/index.ts';
import { pinkNoise } from './signals.ts';

const FS = 48_000;
const SECONDS = 600;
const RUNS = 3;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, '.bench-tmp');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'analyze-10min-48k-s16.wav');
writeFileSync(file, encodeWav(pinkNoise(FS * SECONDS, 0.3, 11), { encoding: 'int', bitsPerSample: 16, sampleRate: FS }));

const bin = join(root, 'firmware/bin/earshot-device.js');
const whole: number[] = [];
let lines = 0;
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'analyze', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  whole.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (r.status !== 0) throw new Error(`analyze exited ${r.status}: ${r.stderr}`);
  lines = r.stdout.trim().split('\n').length;
}

const reading: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = process.hrtime.bigint();
  const reader = WavFileReader.open(file);
  const block = new Float64Array(reader.maxBlockFrames);
  let sink = 0;
  for (let n = reader.read(block); n > 0; n = reader.read(block)) sink += block[n - 1]!;
  reader.close();
  reading.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (sink === 42) console.log('');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const w = median(whole);
const r = median(reading);
console.log(
  `analyze, 10 min 48 kHz 16-bit mono WAV (${lines} output lines): whole process ${w.toFixed(2)} s (${(SECONDS / w).toFixed(0)}x real time, median of ${RUNS}); ` +
    `reading + decoding alone ${r.toFixed(2)} s (${((100 * r) / w).toFixed(0)}% of the whole)`,
);
