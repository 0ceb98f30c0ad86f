/**
 * The demo soundscape, synthesised from a seed (never downloaded or committed):
 * a quiet flat at night, then a neighbour's bass-heavy music through the wall, a
 * door slam, raised voices, a second slam, and quiet again. Levels are set in dB
 * through DESIGN §2's calibration so the demo's rules fire where a listener would
 * expect: the music is low-frequency heavy (LCeq − LAeq well over 15 dB), the
 * slams are impulsive (LAFmax ≈ 80 dB), the voices are in the speech band.
 */
import { meanSquareOfLevel } from '@earshot/shared';
import { mulberry32 } from './random.ts';
import { addRaisedVoices } from './raised-voices.ts';

export interface SoundscapeOptions {
  sampleRate: number;
  seed: number;
  fullScaleDb: number;
  /** Only the first `seconds` of the scene (default all of it). */
  seconds?: number;
}

/** What happens when, in seconds from the start of one loop of the soundscape. */
export const SCENE = {
  seconds: 180,
  backgroundDbZ: 24,
  music: { from: 20, to: 110, bpm: 118, dbZ: 68 },
  slams: [{ at: 35, dbZ: 98 }, { at: 128, dbZ: 100 }],
  voices: { from: 60, to: 75, dbZ: 68 },
} as const;

const TWO_PI = 2 * Math.PI;

/** Amplitude of a sine whose level is `db` (peak = √(2·ms)). */
function sinePeak(db: number, fs: number): number {
  return Math.sqrt(2 * meanSquareOfLevel(db, fs));
}

/** Fades in and out over `ramp` seconds inside [from, to). */
function envelope(t: number, from: number, to: number, ramp: number): number {
  if (t < from || t >= to) return 0;
  return Math.min(1, (t - from) / ramp, (to - t) / ramp);
}

export function soundscape(o: SoundscapeOptions): Float64Array {
  const fs = o.sampleRate;
  const n = Math.round(Math.min(o.seconds ?? SCENE.seconds, SCENE.seconds) * fs);
  const out = new Float64Array(n);
  // One stream per sound, so a shorter render is a prefix of the whole.
  const stream = (k: number): (() => number) => mulberry32(o.seed * 7919 + k);
  addBackground(out, stream(0), Math.sqrt(meanSquareOfLevel(SCENE.backgroundDbZ, o.fullScaleDb)));
  addMusic(out, fs, stream(1), sinePeak(SCENE.music.dbZ, o.fullScaleDb));
  SCENE.slams.forEach((s, k) => addSlam(out, fs, stream(2 + k), s.at, sinePeak(s.dbZ, o.fullScaleDb)));
  addVoices(out, fs, stream(9), sinePeak(SCENE.voices.dbZ, o.fullScaleDb));
  return out;
}

/** Pink-ish room noise (Paul Kellet's economy filter) at an rms of `rms`. */
function addBackground(out: Float64Array, rnd: () => number, rms: number): void {
  let b0 = 0, b1 = 0, b2 = 0;
  // The filter's output rms for unit white noise is about 0.42 at these coefficients.
  const g = rms / 0.42 / Math.sqrt(1 / 3);
  for (let i = 0; i < out.length; i++) {
    const w = rnd() * 2 - 1;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i]! += (b0 + b1 + b2 + w * 0.1848) * 0.25 * g;
  }
}

/** Through-the-wall music: a kick drum and a bass line; the wall has taken the highs. */
function addMusic(out: Float64Array, fs: number, rnd: () => number, peak: number): void {
  const { from, to, bpm } = SCENE.music;
  const beat = 60 / bpm;
  const bassNotes = [41.2, 41.2, 55, 49, 41.2, 36.7, 55, 61.7]; // E1 E1 A1 G1 E1 D1 A1 B1 (Hz)
  let phase = 0;
  for (let i = Math.floor(from * fs); i < Math.min(out.length, to * fs); i++) {
    const t = i / fs;
    const env = envelope(t, from, to, 2);
    const inBeat = (t - from) % beat;
    const beatNo = Math.floor((t - from) / beat);
    // Kick: a 55 → 40 Hz sweep with a fast decay.
    const kick = Math.sin(TWO_PI * (40 * inBeat + 15 * 0.03 * (1 - Math.exp(-inBeat / 0.03)))) * Math.exp(-inBeat / 0.12);
    const note = bassNotes[Math.floor(beatNo / 2) % bassNotes.length]!;
    phase += (TWO_PI * note) / fs;
    const bass = Math.sin(phase) * 0.6 + Math.sin(2 * phase) * 0.15;
    // A little muffled mid-range (chords) so the A-weighted level is not nothing.
    const chord = (Math.sin(TWO_PI * 220 * t) + Math.sin(TWO_PI * 277.2 * t) + Math.sin(TWO_PI * 329.6 * t)) * 0.01 * (0.6 + 0.4 * rnd());
    out[i]! += peak * env * (0.8 * kick + bass + chord);
  }
}

/** A door slam: a short broadband crack and a low thud, decaying in a fraction of a second. */
function addSlam(out: Float64Array, fs: number, rnd: () => number, at: number, peak: number): void {
  const start = Math.floor(at * fs);
  const len = Math.floor(0.6 * fs);
  let lp = 0;
  for (let k = 0; k < len && start + k < out.length; k++) {
    const t = k / fs;
    lp += 0.3 * (rnd() * 2 - 1 - lp);
    const crack = lp * Math.exp(-t / 0.015);
    const thud = Math.sin(TWO_PI * 70 * t) * Math.exp(-t / 0.08);
    out[start + k]! += peak * (0.9 * crack + 0.5 * thud);
  }
}

/** The scene's raised voices, faded in and out over their span (raised-voices.ts). */
function addVoices(out: Float64Array, fs: number, rnd: () => number, peak: number): void {
  const { from, to } = SCENE.voices;
  addRaisedVoices(out, fs, rnd, from, to, (t) => peak * envelope(t, from, to, 0.5));
}
