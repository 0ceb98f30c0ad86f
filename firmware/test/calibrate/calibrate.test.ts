import { EarshotError } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { calibrate } from '../../src/calibrate/calibrate.ts';

const FS = 48_000;

function tone(seconds: number, peak: number, freq = 1000, noise = 0, seed = 1): Float64Array {
  const x = new Float64Array(seconds * FS);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = peak * Math.sin((2 * Math.PI * freq * i) / FS) + noise * (s / 1073741824 - 1);
  }
  return x;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return e instanceof EarshotError ? e.code : 'other';
  }
  return 'none';
}

describe('calibrate', () => {
  it('sets fullScaleDb so the calibrator reads 94.0 dB, from any starting point', () => {
    // A mic 3 dB more sensitive than assumed: with fullScaleDb 120, −26 dBFS reads 94; here the tone is at −23 dBFS.
    const peak = 10 ** (-23 / 20);
    const r = calibrate({ samples: tone(5, peak), sampleRate: FS, fullScaleDb: 120 });
    expect(r.measuredDb).toBeCloseTo(97, 1);
    expect(r.fullScaleDb).toBeCloseTo(117, 1);
    expect(r.adjustmentDb).toBeCloseTo(-3, 1);
    expect(r.frequencyHz).toBeCloseTo(1000, 0);
    expect(r.spreadDb).toBeLessThan(0.01);
    // Measuring again at the new calibration reads the reference.
    const again = calibrate({ samples: tone(5, peak), sampleRate: FS, fullScaleDb: r.fullScaleDb });
    expect(again.measuredDb).toBeCloseTo(94, 2);
    expect(again.adjustmentDb).toBeCloseTo(0, 2);
  });

  it('refuses what is not a fitted calibrator', () => {
    const peak = 10 ** (-26 / 20);
    expect(code(() => calibrate({ samples: tone(5, peak, 250), sampleRate: FS, fullScaleDb: 120 }))).toBe('EARSHOT_E_CALIBRATION_TONE');
    expect(code(() => calibrate({ samples: tone(2, peak), sampleRate: FS, fullScaleDb: 120 }))).toBe('EARSHOT_E_CALIBRATION_TONE');
    expect(code(() => calibrate({ samples: new Float64Array(5 * FS), sampleRate: FS, fullScaleDb: 120 }))).toBe('EARSHOT_E_CALIBRATION_TONE');
    expect(code(() => calibrate({ samples: tone(5, 1.2), sampleRate: FS, fullScaleDb: 120 }))).toBe('EARSHOT_E_CALIBRATION_TONE');
    // A quiet room, no calibrator: the change would be implausible.
    expect(code(() => calibrate({ samples: tone(5, 10 ** (-80 / 20)), sampleRate: FS, fullScaleDb: 120 }))).toBe('EARSHOT_E_CALIBRATION_TONE');
    expect(calibrate({ samples: tone(5, 10 ** (-80 / 20)), sampleRate: FS, fullScaleDb: 120, force: true }).fullScaleDb).toBeCloseTo(174, 0);
  });

  it('refuses a tone whose level wanders', () => {
    const x = tone(5, 0.05);
    for (let i = 3 * FS; i < x.length; i++) x[i]! *= 1.1;
    expect(code(() => calibrate({ samples: x, sampleRate: FS, fullScaleDb: 120 }))).toBe('EARSHOT_E_CALIBRATION_TONE');
  });
});
