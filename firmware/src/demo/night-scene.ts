/**
 * The demonstration night (issue 17), synthesised block by block from a seed,
 * never stored as a file (nine hours of audio would be gigabytes): a quiet flat
 * from 22:00 to 07:00 UK time, a neighbour's bass-heavy music through the wall
 * for an hour and a half around midnight and again briefly after 2 am, door
 * slams, and raised voices, during which the resident presses the incident
 * button. The sounds are those of the daytime soundscape (soundscape.ts),
 * rendered once as short loops and added in place, so a block costs a few
 * additions per sample. Levels are set in dB through DESIGN §2's calibration
 * so that the demo's rules fire where a listener would expect: the Noise Act
 * night rule (the music is well over 34 dB LAeq,5min after 23:00), the bass rule
 * (LCeq − LAeq over 15 dB), the impulsive rule (the slams) and the voices.
 */
import { meanSquareOfLevel } from '@earshot/shared';
import { mulberry32 } from './random.ts';
import { addRaisedVoices } from './raised-voices.ts';

/** Seconds after the night's start (22:00 UK time) when each sound plays. */
export const NIGHT_SCENE = {
  backgroundDbZ: 24,
  music: [
    { from: 4_800, to: 10_200, dbZ: 68 }, // 23:20–00:50
    { from: 14_100, to: 15_600, dbZ: 66 }, // 01:55–02:20
  ],
  slams: [
    { at: 6_450, dbZ: 98 }, // 23:47:30
    { at: 9_070, dbZ: 100 }, // 00:31:10
    { at: 15_180, dbZ: 96 }, // 02:13:00
  ],
  voices: [{ from: 8_640, to: 8_690, dbZ: 68 }], // 00:24:00–00:24:50
  /** The resident presses the incident button during the shouting (00:24:30). */
  buttonAt: 8_670,
} as const;

const TWO_PI = 2 * Math.PI;
const BPM = 118;
const BASS_NOTES = [41.2, 41.2, 55, 49, 41.2, 36.7, 55, 61.7]; // E1 E1 A1 G1 E1 D1 A1 B1 (Hz)
/** Fades of the music at each end, seconds. */
const MUSIC_RAMP_S = 3;
const VOICES_RAMP_S = 0.5;

export interface NightSceneOptions {
  sampleRate: number;
  seed: number;
  fullScaleDb: number;
}

interface Span { from: number; to: number; gain: number; ramp: number; loop: Float64Array }

/** Renders the night's samples for any range of frames (from the night's start), in order or not. */
export class NightScene {
  readonly sampleRate: number;
  private readonly background: Float64Array;
  private readonly spans: Span[] = [];

  constructor(o: NightSceneOptions) {
    const fs = o.sampleRate;
    this.sampleRate = fs;
    const stream = (k: number): (() => number) => mulberry32(o.seed * 7919 + k);
    this.background = pinkNoise(Math.round(8 * fs), stream(0), Math.sqrt(meanSquareOfLevel(NIGHT_SCENE.backgroundDbZ, o.fullScaleDb)));
    const peak = (db: number): number => Math.sqrt(2 * meanSquareOfLevel(db, o.fullScaleDb));
    const music = musicPhrase(fs, stream(1));
    for (const m of NIGHT_SCENE.music) this.spans.push({ from: m.from * fs, to: m.to * fs, gain: peak(m.dbZ), ramp: MUSIC_RAMP_S * fs, loop: music });
    NIGHT_SCENE.slams.forEach((s, k) => {
      const slam = doorSlam(fs, stream(2 + k));
      this.spans.push({ from: Math.round(s.at * fs), to: Math.round(s.at * fs) + slam.length, gain: peak(s.dbZ), ramp: 0, loop: slam });
    });
    for (const v of NIGHT_SCENE.voices) {
      const voices = raisedVoices(fs, stream(9), v.to - v.from);
      this.spans.push({ from: v.from * fs, to: v.to * fs, gain: peak(v.dbZ), ramp: VOICES_RAMP_S * fs, loop: voices });
    }
  }

  /** Writes frames [start, start + frames) of the night into out[0, frames). */
  render(out: Float64Array, start: number, frames: number): void {
    const bg = this.background;
    // The background loop, copied in runs.
    for (let i = 0, k = start % bg.length; i < frames; k = 0) {
      const run = Math.min(frames - i, bg.length - k);
      out.set(bg.subarray(k, k + run), i);
      i += run;
    }
    const end = start + frames;
    for (const s of this.spans) {
      if (s.to <= start || s.from >= end) continue;
      const from = Math.max(start, s.from);
      const to = Math.min(end, s.to);
      const loop = s.loop;
      const gain = s.gain;
      const ramp = s.ramp;
      // The fades cover only the first and last `ramp` frames of a span.
      const steady = ramp === 0 || (from - s.from >= ramp && s.to - to >= ramp);
      let li = (from - s.from) % loop.length;
      for (let n = from; n < to; n++) {
        const env = steady ? 1 : Math.min(1, (n - s.from) / ramp, (s.to - n) / ramp);
        out[n - start]! += gain * env * loop[li]!;
        if (++li === loop.length) li = 0;
      }
    }
  }
}

/** Pink-ish room noise (Paul Kellet's economy filter, as soundscape.ts) at an rms of `rms`. */
function pinkNoise(n: number, rnd: () => number, rms: number): Float64Array {
  const out = new Float64Array(n);
  let b0 = 0, b1 = 0, b2 = 0;
  // The filter's output rms for unit white noise is about 0.42 at these coefficients.
  const g = rms / 0.42 / Math.sqrt(1 / 3);
  for (let i = 0; i < n; i++) {
    const w = rnd() * 2 - 1;
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i] = (b0 + b1 + b2 + w * 0.1848) * 0.25 * g;
  }
  return out;
}

/** Sixteen beats of through-the-wall music (kick and bass line, the highs taken by the wall), a seamless loop at unit peak. */
function musicPhrase(fs: number, rnd: () => number): Float64Array {
  const beat = 60 / BPM;
  const out = new Float64Array(Math.round(16 * beat * fs));
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / fs;
    const inBeat = t % beat;
    const beatNo = Math.floor(t / beat);
    // Kick: a 55 → 40 Hz sweep with a fast decay.
    const kick = Math.sin(TWO_PI * (40 * inBeat + 15 * 0.03 * (1 - Math.exp(-inBeat / 0.03)))) * Math.exp(-inBeat / 0.12);
    const note = BASS_NOTES[Math.floor(beatNo / 2) % BASS_NOTES.length]!;
    phase += (TWO_PI * note) / fs;
    const bass = Math.sin(phase) * 0.6 + Math.sin(2 * phase) * 0.15;
    // A little muffled mid-range (chords) so the A-weighted level is not nothing.
    const chord = (Math.sin(TWO_PI * 220 * t) + Math.sin(TWO_PI * 277.2 * t) + Math.sin(TWO_PI * 329.6 * t)) * 0.01 * (0.6 + 0.4 * rnd());
    out[i] = 0.8 * kick + bass + chord;
  }
  return out;
}

/** A door slam: a short broadband crack and a low thud, decaying in a fraction of a second. */
function doorSlam(fs: number, rnd: () => number): Float64Array {
  const out = new Float64Array(Math.floor(0.6 * fs));
  let lp = 0;
  for (let k = 0; k < out.length; k++) {
    const t = k / fs;
    lp += 0.3 * (rnd() * 2 - 1 - lp);
    out[k] = 0.9 * lp * Math.exp(-t / 0.015) + 0.5 * Math.sin(TWO_PI * 70 * t) * Math.exp(-t / 0.08);
  }
  return out;
}

/** Raised voices over `seconds`, at full gain (raised-voices.ts). */
function raisedVoices(fs: number, rnd: () => number, seconds: number): Float64Array {
  const out = new Float64Array(Math.round(seconds * fs));
  addRaisedVoices(out, fs, rnd, 0, seconds, () => 1);
  return out;
}
