/**
 * The `Z3` field of a level record (DESIGN §9 "Bands on the wire"): its bounds, the
 * helpers both sides use, the remote config's `bands`, and what the ingest does with a
 * record that breaks the bounds (a real pipeline on a SQLite file).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BAND_DB10_MAX, BAND_DB10_MIN, LevelRecord, LevelsBody, MAX_THIRD_OCTAVE_BANDS, NOMINAL_THIRD_OCTAVES, ThirdOctaveLevels,
  bandDb10, expandThirdOctaves, parseRemoteConfig, thirdOctaveEntries, thirdOctaveKeys, topics,
} from '../src/index.ts';
import { NOMINAL_THIRD_OCTAVES as FIRMWARE_NOMINALS, THIRD_OCTAVE_BANDS } from '../../firmware/src/measure/bands/index.ts';
import { type Fixture, type TestDevice, addDevice, count, incoming, makeFixture } from '../../ingest/test/pipeline/support/ingest-fixture.ts';

const record = { t: '2026-11-24T22:00:00.000Z', d: 1, LAeq: 41.2, LCeq: 55.3, LZeq: 60.1, LAFmax: 48.9, LAFmin: 35.2, LASmax: 44.4, LCpeak: 71.8 };
/** 48 kHz: 33 bands, 10 Hz – 16 kHz (the 20 kHz band's upper edge is above 0.45·fs). */
const z3 = { f0: '10', dB10: Array.from({ length: 33 }, (_, i) => (i === 2 ? null : 300 + i)) } as const;

describe('Z3: 1/3-octave bands of a level record', () => {
  it('lists the 34 nominal midbands of IEC 61260-1 Annex E once, for the monitor and the ingest', () => {
    expect(NOMINAL_THIRD_OCTAVES).toHaveLength(34);
    expect(MAX_THIRD_OCTAVE_BANDS).toBe(34);
    expect(NOMINAL_THIRD_OCTAVES.slice(0, 6)).toEqual(['10', '12.5', '16', '20', '25', '31.5']);
    expect(NOMINAL_THIRD_OCTAVES.at(-1)).toBe('20000');
    expect(FIRMWARE_NOMINALS).toBe(NOMINAL_THIRD_OCTAVES);
    // Each nominal value is its exact base-10 midband 1000·10^(k/10) to the standard's rounding (within 3 %).
    THIRD_OCTAVE_BANDS.forEach((b) => expect(Math.abs(Number(b.nominal) / b.fm - 1)).toBeLessThan(0.03));
  });

  it('accepts a record with bands, null bands and without bands', () => {
    expect(LevelRecord.safeParse({ ...record, Z3: z3 }).success).toBe(true);
    expect(LevelRecord.safeParse(record).success).toBe(true);
    expect(LevelRecord.safeParse({ ...record, Z3: { f0: '20000', dB10: [BAND_DB10_MIN] } }).success).toBe(true);
    expect(LevelRecord.safeParse({ ...record, Z3: { f0: '10', dB10: new Array(34).fill(BAND_DB10_MAX) } }).success).toBe(true);
  });

  it.each([
    ['f0 not a nominal midband', { f0: '1001', dB10: [400] }],
    ['f0 as a number', { f0: 10, dB10: [400] }],
    ['f0 written another way', { f0: '31.50', dB10: [400] }],
    ['a fraction', { f0: '10', dB10: [400.5] }],
    ['a level in dB rather than 0.1 dB', { f0: '10', dB10: [40.2] }],
    ['below the bounds', { f0: '10', dB10: [BAND_DB10_MIN - 1] }],
    ['above the bounds', { f0: '10', dB10: [BAND_DB10_MAX + 1] }],
    ['no bands', { f0: '10', dB10: [] }],
    ['35 bands', { f0: '10', dB10: new Array(35).fill(400) }],
    ['bands past 20 kHz', { f0: '16000', dB10: [400, 400, 400] }],
    ['a string level', { f0: '10', dB10: ['400'] }],
    ['NaN', { f0: '10', dB10: [Number.NaN] }],
    ['an unknown key', { f0: '10', dB10: [400], unit: 'dB' }],
  ])('refuses %s', (_name, bad) => {
    expect(ThirdOctaveLevels.safeParse(bad).success).toBe(false);
    expect(LevelsBody.safeParse({ fullScaleDb: 120, records: [{ ...record, Z3: bad }] }).success).toBe(false);
  });

  it('rounds to 0.1 dB half away from zero, clamped to the bounds', () => {
    expect(bandDb10(41.25)).toBe(413);
    expect(bandDb10(41.24)).toBe(412);
    expect(bandDb10(-0.25)).toBe(-3);
    expect(bandDb10(-0.04)).toBe(0);
    expect(Object.is(bandDb10(-0.04), -0)).toBe(false);
    expect(bandDb10(-1e3)).toBe(BAND_DB10_MIN);
    expect(bandDb10(1e3)).toBe(BAND_DB10_MAX);
  });

  it('expands to the DESIGN §3 keys', () => {
    const b = { f0: '20', dB10: [412, null, 398] } as const;
    expect(thirdOctaveKeys(b)).toEqual(['20', '25', '31.5']);
    expect(expandThirdOctaves(b)).toEqual({ 20: 41.2, 25: null, 31.5: 39.8 });
    expect(thirdOctaveEntries(b)).toEqual([['20', 41.2], ['25', null], ['31.5', 39.8]]);
    expect(thirdOctaveEntries(z3).map(([k]) => k)).toEqual(NOMINAL_THIRD_OCTAVES.slice(0, 33));
    expect(Object.keys(expandThirdOctaves(z3)).sort()).toEqual([...NOMINAL_THIRD_OCTAVES.slice(0, 33)].sort());
  });
});

describe('remote config: bands', () => {
  it('takes "third-octave" or "off"; a config without it asks for none', () => {
    const on = parseRemoteConfig({ version: 1, rules: [], bands: 'third-octave' });
    expect(on.ok && on.config.bands).toBe('third-octave');
    const bare = parseRemoteConfig({ version: 1, rules: [] });
    expect(bare.ok && bare.config.bands).toBe('off');
  });

  it('refuses any other value, naming the field', () => {
    const r = parseRemoteConfig({ version: 1, rules: [], bands: 'octave' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('EARSHOT_E_CONFIG_INVALID');
      expect(r.error.detail).toMatch(/^bands: /);
    }
  });
});

describe('the ingest and a record with bands', () => {
  let f: Fixture;
  let dev: TestDevice;
  beforeEach(() => {
    f = makeFixture();
    dev = addDevice(f, 'dev-1');
  });
  afterEach(() => f.close());

  it('stores a batch with valid bands', () => {
    const out = f.pipeline.process(incoming(topics.levels(dev.id), dev.sign('levels', { fullScaleDb: 120, records: [{ ...record, Z3: z3 }] }), dev.id));
    expect(out).toMatchObject({ status: 'stored' });
  });

  it('quarantines a batch whose bands break the bounds, with the body-invalid code and the path', () => {
    const body = { fullScaleDb: 120, records: [record, { ...record, t: '2026-11-24T22:00:01.000Z', Z3: { f0: '10', dB10: [400, 9999] } }] };
    const out = f.pipeline.process(incoming(topics.levels(dev.id), dev.sign('levels', body), dev.id));
    expect(out).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_BODY_INVALID' });
    expect((out as { detail: string }).detail).toContain('records.1.Z3.dB10.1');
    expect(count(f.db, 'quarantine')).toBe(1);
    expect(count(f.db, 'levels')).toBe(0);
  });
});
