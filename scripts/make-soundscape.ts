/**
 * Writes the demo soundscape (firmware/src/demo/soundscape.ts) as a 24-bit WAV.
 * Run: npx tsx scripts/make-soundscape.ts [OUT.wav] [--seed 1] [--rate 48000]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_FULL_SCALE_DB } from '@earshot/shared';
import { encodeWav } from '../firmware/src/audio/index.ts';
import { soundscape } from '../firmware/src/demo/soundscape.ts';

const { values, positionals } = parseArgs({ options: { seed: { type: 'string' }, rate: { type: 'string' } }, allowPositionals: true });
const out = positionals[0] ?? 'soundscape.wav';
const sampleRate = Number(values.rate ?? 48_000);
const samples = soundscape({ sampleRate, seed: Number(values.seed ?? 1), fullScaleDb: DEFAULT_FULL_SCALE_DB });
writeFileSync(out, encodeWav(samples, { encoding: 'int', bitsPerSample: 24, sampleRate }));
process.stdout.write(`${out}: ${samples.length / sampleRate} s at ${sampleRate} Hz, 24-bit\n`);
