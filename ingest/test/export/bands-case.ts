/**
 * The bands case (issue 16): two cases on one night, mon-1 sending 1/3-octave
 * bands with every 1 s record (bass music 25–125 Hz during a low-frequency
 * event, a second event without bass), mon-2 sending levels only, through the
 * real pipeline. Shared by bands-bundle.test.ts and export-postgres.test.ts.
 */
import { openCase, startDeployment } from '../../src/cases/index.ts';
import { type ExportFixture, HOUR } from './fixture.ts';

export const MIN = 60_000;
/** Monday 2 November 2026, 22:00 (GMT: UK time = UTC). */
export const T0 = Date.parse('2026-11-02T22:00:00.000Z');
export const A = 'ASB-2026-0201';
export const B = 'ASB-2026-0202';
export const iso = (ms: number): string => new Date(ms).toISOString();
export const PERIOD = { from: iso(T0), to: iso(T0 + 2 * HOUR) };
export const BASS_AT = T0 + 30 * MIN;
export const BASS_S = 180;
export const BANDS = 31; // 10 Hz … 10 kHz (a 24 kHz monitor)
export const NOMINAL = ['10', '12.5', '16', '20', '25', '31.5', '40', '50', '63', '80', '100', '125', '160'];

/** What the monitor sent for second t, band k (0.1 dB): a quiet room, bass music 25–125 Hz during the event. */
export function dB10At(t: number, k: number): number | null {
  const i = (t - T0) / 1000;
  if (k === 0 && i % 10 === 3) return null;
  const bass = t >= BASS_AT && t < BASS_AT + BASS_S * 1000 && k >= 4 && k <= 11 ? 250 + (i % 5) * 10 : 0;
  return 300 - k * 5 + ((i * 7 + k) % 30) + bass;
}

/** The fixture's clock at the start of the case (two hours before T0). */
export const BANDS_CLOCK0 = T0 - 2 * HOUR;

/** Fills a fixture made with makeExportFixture(BANDS_CLOCK0). */
export async function buildBandsCase(f: ExportFixture): Promise<void> {
  openCase(f.ingest.cases, { ref: A, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
  openCase(f.ingest.cases, { ref: B, category: 'general', officer: 'Jo Smith', address: '2 Elm Court, Leeds' });
  const mon = f.device('mon-1');
  const plain = f.device('mon-2');
  startDeployment(f.ingest.cases, { caseRef: A, deviceId: 'mon-1', installedAt: iso(T0 - HOUR), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
  startDeployment(f.ingest.cases, { caseRef: B, deviceId: 'mon-2', installedAt: iso(T0 - HOUR), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
  for (let i = 0; i < 7200; i += 600) {
    const records = Array.from({ length: 600 }, (_, k) => {
      const t = T0 + (i + k) * 1000;
      return { t: iso(t), d: 1, LAeq: 30, LCeq: 40, LZeq: 45, LAFmax: 35, LAFmin: 27, LASmax: 33, LCpeak: 60, Z3: { f0: '10' as const, dB10: Array.from({ length: BANDS }, (_, b) => dB10At(t, b)) } };
    });
    f.clock = T0 + (i + 600) * 1000;
    mon.send('levels', { fullScaleDb: 120, records }, f.clock);
  }
  plain.levels(T0, 3600, 33);
  f.clock = T0 + 2 * HOUR + MIN;
  await mon.event({ startMs: BASS_AT, seconds: BASS_S, laeq: 38, ruleId: 'bass', ruleType: 'low-frequency', threshold: 15, tone: 60, clip: false });
  await mon.event({ startMs: T0 + 70 * MIN, seconds: 60, laeq: 60, ruleId: 'loud', ruleType: 'absolute', threshold: 55, tone: 440, clip: false });
  await plain.event({ startMs: T0 + 20 * MIN, seconds: 60, laeq: 60, ruleId: 'loud', ruleType: 'absolute', threshold: 55, tone: 440, clip: false });
  f.clock = T0 + 3 * HOUR;
}
