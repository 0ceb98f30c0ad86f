import { describe, expect, it } from 'vitest';
import { SCENE, soundscape } from '../../src/demo/soundscape.ts';
import { type IntervalLevels, LevelEngine } from '../../src/measure/index.ts';

const FS = 16_000;

function levels(x: Float64Array): IntervalLevels[] {
  const out: IntervalLevels[] = [];
  const e = new LevelEngine({ sampleRate: FS, onInterval: (r) => out.push({ ...r }) });
  e.process(x);
  return out;
}

describe('demo soundscape', () => {
  const x = soundscape({ sampleRate: FS, seed: 1, fullScaleDb: 120 });
  const s = levels(x);

  it('is the same for the same seed and different for another', () => {
    const again = soundscape({ sampleRate: FS, seed: 1, fullScaleDb: 120, seconds: 40 });
    expect(Buffer.from(again.buffer).equals(Buffer.from(x.buffer, 0, again.byteLength))).toBe(true);
    expect(soundscape({ sampleRate: FS, seed: 2, fullScaleDb: 120, seconds: 1 })[1000]).not.toBe(x[1000]);
    expect(s).toHaveLength(SCENE.seconds);
  });

  it('is a quiet flat at night outside the disturbances', () => {
    for (const t of [5, 15, 115, 170]) expect(s[t]!.LAeq!).toBeLessThan(30);
  });

  it('has bass-heavy music, door slams and raised voices where the scene says', () => {
    const music = s[50]!;
    expect(music.LAeq!).toBeGreaterThan(33);
    expect(music.LCeq! - music.LAeq!).toBeGreaterThan(15);
    for (const slam of SCENE.slams) expect(s[slam.at]!.LAFmax!).toBeGreaterThan(70);
    expect(s[65]!.LAeq!).toBeGreaterThan(45);
    expect(x.every((v) => Math.abs(v) < 1)).toBe(true);
  });
});
