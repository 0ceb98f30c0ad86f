/**
 * Raised voices for the demonstration recordings: two speakers, a harmonic-rich
 * glottal buzz shaped by syllable envelopes, added into `out` from `from` to
 * `to` seconds, each sample scaled by `gain(t)`. One drawing for the live
 * soundscape (soundscape.ts) and the demonstration night (night-scene.ts).
 */
const TWO_PI = 2 * Math.PI;

export function addRaisedVoices(out: Float64Array, fs: number, rnd: () => number, from: number, to: number, gain: (t: number) => number): void {
  const speakers = [{ f0: 130, phase: 0 }, { f0: 210, phase: 0 }];
  let syllableEnd = from;
  let speaker = 0;
  let level = 0;
  for (let i = Math.floor(from * fs); i < Math.min(out.length, to * fs); i++) {
    const t = i / fs;
    if (t >= syllableEnd) {
      syllableEnd = t + 0.15 + 0.25 * rnd();
      if (rnd() < 0.15) speaker = 1 - speaker;
      level = rnd() < 0.2 ? 0 : 0.5 + 0.5 * rnd();
    }
    const sp = speakers[speaker]!;
    const f = sp.f0 * (1 + 0.08 * Math.sin(TWO_PI * 3 * t));
    sp.phase += (TWO_PI * f) / fs;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * sp.phase) / h;
    const syll = Math.sin((Math.PI * (syllableEnd - t)) / 0.4) ** 2;
    out[i]! += gain(t) * level * syll * v * 0.5;
  }
}
