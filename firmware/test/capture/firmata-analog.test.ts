import { LevelRecord } from '@earshot/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DbaAggregator, dbOfAdc } from '../../src/capture/dba-aggregator.ts';
import { FirmataAnalogSource } from '../../src/capture/firmata-analog.ts';
import { mockBoard } from '../io/mock-board.ts';
import { levelCollector } from './helpers.ts';

const UNO = { slopeDbPerVolt: 50, offsetDb: 0, vrefVolts: 5, adcBits: 10 };

describe('analog dBA module', () => {
  it('converts ADC codes to dB as dBA = 50 × volts', () => {
    // 1.2 V on a 5 V 10-bit ADC is code 245.76; 245.76 × 5 / 1024 × 50 = 60 dB.
    expect(dbOfAdc(245.76, UNO)).toBeCloseTo(60, 10);
    expect(dbOfAdc(1024, UNO)).toBe(250);
    expect(dbOfAdc(2048, { slopeDbPerVolt: 50, offsetDb: 0, vrefVolts: 3.3, adcBits: 12 })).toBeCloseTo(82.5, 10);
    expect(dbOfAdc(512, { ...UNO, slopeDbPerVolt: 40, offsetDb: 10 })).toBeCloseTo(110, 10);
  });

  it('aggregates readings into the energy mean, max and min', () => {
    const a = new DbaAggregator(4, 1);
    expect(a.add(50, 1100, 250)).toBeNull();
    expect(a.add(60, 1350, 250)).toBeNull();
    expect(a.add(50, 1600, 250)).toBeNull();
    const r = a.add(60, 1850, 250);
    // Energy mean of 50, 60, 50, 60 dB = 10·log10((2·10^5 + 2·10^6)/4) = 57.40 dB (not the arithmetic 55).
    expect(r).toEqual({ t: '1970-01-01T00:00:00.850Z', d: 1, LAeq: 57.4, LCeq: null, LZeq: null, LAFmax: 60, LAFmin: 50, LASmax: null, LCpeak: null });
    expect(LevelRecord.safeParse(r).success).toBe(true);
  });
});

describe('Firmata analog source (mock-firmata)', () => {
  afterEach(() => vi.useRealTimers());

  it('samples at 10 Hz and emits one record a second', async () => {
    const m = await mockBoard();
    vi.useFakeTimers({ now: Date.parse('2026-05-01T21:00:00.000Z') });
    const src = new FirmataAnalogSource({ board: m.board, pin: 'A0', sampleHz: 10 });
    const c = levelCollector();
    await src.start(c);
    // ADC codes are integers (johnny-five reports the rounded median): 246 ≈ 1.2 V ≈ 60.06 dB, 287 ≈ 1.4 V ≈ 70.07 dB.
    const lo = dbOfAdc(246, UNO);
    const hi = dbOfAdc(287, UNO);
    // First second steady at lo; the next alternates lo and hi.
    for (let i = 0; i < 10; i++) {
      m.analog(0, 246);
      vi.advanceTimersByTime(100);
    }
    expect(c.records.length).toBe(1);
    for (let i = 0; i < 10; i++) {
      m.analog(0, i % 2 === 0 ? 246 : 287);
      vi.advanceTimersByTime(100);
    }
    expect(c.records.length).toBe(2);
    expect(c.records[0]).toMatchObject({ t: '2026-05-01T21:00:00.000Z', d: 1, LAeq: 60.06, LAFmax: 60.06, LAFmin: 60.06 });
    const mean = 10 * Math.log10((10 ** (lo / 10) + 10 ** (hi / 10)) / 2);
    expect(c.records[1]).toMatchObject({ t: '2026-05-01T21:00:01.000Z', LAeq: Math.round(mean * 100) / 100, LAFmax: 70.07, LAFmin: 60.06 });
    expect(c.records[1]!.LAeq).toBe(67.47);
    await src.stop();
    vi.advanceTimersByTime(5_000);
    expect(c.records.length).toBe(2);
  });
});
