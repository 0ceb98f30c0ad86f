/** Level sources whose interval is not 1 s are regrouped into 1 s records before the rules. */
import { LevelRecord } from '@earshot/shared';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyRecord } from '../../src/capture/level-fields.ts';
import { FirmataAnalogSource } from '../../src/capture/firmata-analog.ts';
import { SecondRegrouper } from '../../src/capture/second-regrouper.ts';
import { SerialMeterSource } from '../../src/capture/serial-meter.ts';
import { mockBoard } from '../io/mock-board.ts';
import { levelCollector, until } from './helpers.ts';

const T0 = Date.parse('2026-06-01T22:00:00.000Z');
const energyMean = (pairs: [number, number][]): number => {
  const t = pairs.reduce((s, [w]) => s + w, 0);
  return 10 * Math.log10(pairs.reduce((s, [w, l]) => s + w * 10 ** (l / 10), 0) / t);
};

function reading(startMs: number, d: number, LAeq: number, LAFmax = LAeq + 5, LAFmin = LAeq - 5): LevelRecord {
  return { ...emptyRecord(startMs, d), LAeq, LAFmax, LAFmin };
}

function regroup(readings: LevelRecord[], flush = false): LevelRecord[] {
  const out: LevelRecord[] = [];
  const g = new SecondRegrouper((r) => out.push(r));
  for (const r of readings) g.add(r);
  if (flush) g.flush();
  for (const r of out) expect(LevelRecord.safeParse(r).success).toBe(true);
  return out;
}

describe('regrouping into 1 s records', () => {
  it('0.5 s readings: two to a second, energy mean of the Leq, max of maxima, min of minima', () => {
    const out = regroup([reading(T0, 0.5, 50, 58, 45), reading(T0 + 500, 0.5, 60, 66, 55), reading(T0 + 1_000, 0.5, 40), reading(T0 + 1_500, 0.5, 40)]);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ t: '2026-06-01T22:00:00.000Z', d: 1, LAeq: Math.round(energyMean([[1, 50], [1, 60]]) * 100) / 100, LAFmax: 66, LAFmin: 45 });
    expect(out[0]!.LAeq).toBe(57.4);
    expect(out[1]).toMatchObject({ t: '2026-06-01T22:00:01.000Z', d: 1, LAeq: 40 });
  });

  it('0.3 s readings do not divide the second: the straddling one is split by time, its max counts in both seconds', () => {
    // 0.0, 0.3, 0.6 at 50 dB; 0.9–1.2 at 70 dB; 1.2, 1.5, 1.8 at 50 dB; 2.1 … at 50 dB.
    const levels = [50, 50, 50, 70, 50, 50, 50, 50, 50, 50];
    const out = regroup(levels.map((l, i) => reading(T0 + i * 300, 0.3, l, l + 1, l - 1)));
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({ d: 1, LAeq: Math.round(energyMean([[0.9, 50], [0.1, 70]]) * 100) / 100, LAFmax: 71 });
    expect(out[1]).toMatchObject({ t: '2026-06-01T22:00:01.000Z', d: 1, LAeq: Math.round(energyMean([[0.2, 70], [0.8, 50]]) * 100) / 100, LAFmax: 71 });
    expect(out[2]).toMatchObject({ t: '2026-06-01T22:00:02.000Z', LAeq: 50, LAFmax: 51 });
    // Energy is conserved: the 3 s of records carry the energy of the 3 s of readings.
    const e = out.reduce((s, r) => s + 10 ** (r.LAeq! / 10), 0);
    expect(10 * Math.log10(e / 3)).toBeCloseTo(energyMean([[2.7, 50], [0.3, 70]]), 1);
  });

  it('2 s readings are spread over their seconds, each carrying the reading’s levels', () => {
    const out = regroup([reading(T0, 2, 55, 62, 48), reading(T0 + 2_000, 2, 45)]);
    expect(out.map((r) => [r.t.slice(11, 19), r.d, r.LAeq, r.LAFmax, r.LAFmin])).toEqual([
      ['22:00:00', 1, 55, 62, 48], ['22:00:01', 1, 55, 62, 48], ['22:00:02', 1, 45, 50, 40], ['22:00:03', 1, 45, 50, 40],
    ]);
  });

  it('follows the meter’s own second, tolerates arrival jitter, and restarts the grid after a gap', () => {
    const out = regroup([
      reading(T0 + 437, 0.5, 50), reading(T0 + 951, 0.5, 50), reading(T0 + 1_420, 0.5, 60),
      // The meter stops for 10 s: the half second in progress goes out as it is.
      reading(T0 + 12_000, 0.5, 40), reading(T0 + 12_500, 0.5, 40),
    ], true);
    expect(out.map((r) => [r.t.slice(17, 23), r.d, r.LAeq])).toEqual([['00.437', 1, 50], ['01.437', 0.5, 60], ['12.000', 1, 40]]);
  });
});

describe('level sources regroup before the rules', () => {
  afterEach(() => {
    SerialPortMock.binding.reset();
    vi.useRealTimers();
  });

  it('a serial meter reporting every 0.5 s delivers 1 s records', async () => {
    SerialPortMock.binding.createPort('/dev/ttyUSB0', { echo: false, record: true });
    let now = T0;
    let port: SerialPortMock | null = null;
    const src = new SerialMeterSource({
      path: '/dev/ttyUSB0', pattern: String.raw`LAeq=(?<LAeq>\d+\.\d)`, intervalSeconds: 0.5, now: () => now,
      openPort: (path, baudRate) => (port = new SerialPortMock({ path, baudRate, autoOpen: false })),
    });
    const c = levelCollector();
    await src.start(c);
    await until(() => port?.isOpen === true);
    for (const l of [50, 60, 40, 40]) {
      now += 500;
      src.line(`LAeq=${l.toFixed(1)}`);
    }
    expect(c.records.map((r) => [r.t, r.d, r.LAeq])).toEqual([['2026-06-01T22:00:00.000Z', 1, 57.4], ['2026-06-01T22:00:01.000Z', 1, 40]]);
    await src.stop();
  });

  it('a Firmata analog module with 0.5 s records delivers 1 s records', async () => {
    const m = await mockBoard();
    vi.useFakeTimers({ now: T0 });
    const src = new FirmataAnalogSource({ board: m.board, pin: 'A0', sampleHz: 10, intervalSeconds: 0.5 });
    const c = levelCollector();
    await src.start(c);
    for (let i = 0; i < 20; i++) {
      m.analog(0, 246);
      vi.advanceTimersByTime(100);
    }
    expect(c.records.map((r) => [r.t, r.d, r.LAeq])).toEqual([['2026-06-01T22:00:00.000Z', 1, 60.06], ['2026-06-01T22:00:01.000Z', 1, 60.06]]);
    await src.stop();
  });
});
