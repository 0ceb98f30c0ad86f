/**
 * Levels bodies in the journal (levels-codec.ts): binary with bands, JSON where the
 * binary form cannot hold a value exactly, and journals written before the binary form
 * (JSON bodies) still read, signed and compacted. Real segment files in a temp folder.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type LevelRecord, type LevelsBody, LevelsBody as LevelsBodySchema } from '@earshot/shared';
import { encodeFrame } from '../../src/outbox/frame.ts';
import { decodeLevelsBody, encodeLevelsBody, LEVELS_BINARY_V1 } from '../../src/outbox/levels-codec.ts';
import type { Outbox } from '../../src/outbox/index.ts';
import { encodeRecord } from '../../src/outbox/record-codec.ts';
import { segmentPath } from '../../src/outbox/segment-files.ts';
import { batch, drain, makeKeys, openOutbox, openSigned, record, tempDir } from './helpers.ts';

const keys = makeKeys();
const cleanups: (() => void)[] = [];
const opened: Outbox[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
  for (const c of cleanups.splice(0)) c();
});
function dir(): string {
  const t = tempDir('levels-codec');
  cleanups.push(t.cleanup);
  return t.dir;
}
function open(d: string, extra: Parameters<typeof openOutbox>[2] = {}): Outbox {
  const o = openOutbox(d, keys, extra);
  opened.push(o);
  return o;
}

/** 33 bands from 10 Hz (48 kHz), one null every third second, levels scattered over 4 dB from second to second. */
function bands(second: number): NonNullable<LevelRecord['Z3']> {
  const scatter = (i: number): number => (Math.imul(second * 34 + i + 1, 2_654_435_761) >>> 0) % 40;
  return { f0: '10', dB10: Array.from({ length: 33 }, (_, i) => (i === 5 && second % 3 === 0 ? null : 130 + 11 * i + scatter(i))) };
}
function bandBatch(first: number, count: number, levelOf: (s: number) => number | null = () => 52.37): LevelsBody {
  const b = batch(first, count, levelOf);
  for (let i = 0; i < b.records.length; i++) {
    const r = b.records[i]!;
    if (r.LAeq !== null) r.Z3 = bands(first + i);
  }
  return b;
}

describe('levels body codec', () => {
  it('round-trips every field exactly, keys in the schema order, and is small', () => {
    const b = bandBatch(0, 10);
    b.records[1] = { ...record(1, null), silent: true };
    b.records[2] = { ...b.records[2]!, clipped: 48_000, LAFmin: null, LCpeak: -12.5 };
    b.records[3] = { ...b.records[3]!, d: 0.068751, n: 2 };
    b.records[4] = { ...b.records[4]!, Z3: { f0: '20000', dB10: [-2000] } };
    const parsed = LevelsBodySchema.parse(b);
    const bytes = encodeLevelsBody(parsed);
    expect(bytes[0]).toBe(LEVELS_BINARY_V1);
    const back = decodeLevelsBody(bytes);
    expect(back).toEqual(parsed);
    expect(JSON.stringify(back)).toBe(JSON.stringify(parsed));
    const json = Buffer.byteLength(JSON.stringify(parsed));
    // 11 head bytes; 32 a record, + 8 for clipped and n, + 2 + 2 per band.
    expect(bytes.length).toBe(11 + 10 * 32 + 8 + 8 * (2 + 66) + (2 + 2));
    expect(bytes.length).toBeLessThan(json / 3);
  });

  it('keeps a body as JSON when a value is off the 0.01 dB grid or a time is not in its own ISO form', () => {
    const off = { fullScaleDb: 120, records: [{ ...record(0, 41.234), Z3: bands(0) }] };
    const bytes = encodeLevelsBody(off);
    expect(bytes.toString('utf8')).toBe(JSON.stringify(off));
    expect(decodeLevelsBody(bytes)).toEqual(off);
    const odd = { fullScaleDb: 120, records: [{ ...record(0, 40), t: '2026-02-30T00:00:00.000Z' }] };
    expect(decodeLevelsBody(encodeLevelsBody(odd))).toEqual(odd);
  });

  it('keeps compacted bands to 0.01 dB for compacting again, and reads them for sending as 0.1 dB integers', () => {
    const compacted: LevelsBody = { fullScaleDb: 120, records: [{ ...record(0, 40), d: 4, n: 4, Z3: { f0: '20', dB10: [412.5, null, 300, -3.2, 2499.9] } }, { ...record(4, 40), Z3: { f0: '20', dB10: [412, 413, 300, 0, 2500] } }] };
    const bytes = encodeLevelsBody(compacted);
    expect(bytes[0]).toBe(LEVELS_BINARY_V1);
    expect(decodeLevelsBody(bytes, true)).toEqual(compacted);
    const sent = decodeLevelsBody(bytes);
    // Half away from zero, as the monitor rounds what it measures (bandDb10); a record not compacted as it was.
    expect(sent.records.map((r) => r.Z3!.dB10)).toEqual([[413, null, 300, -3, 2500], [412, 413, 300, 0, 2500]]);
    expect(LevelsBodySchema.safeParse(sent).success).toBe(true);
    // Kept as JSON (a level off the 0.01 dB grid): the same two readings.
    const json: LevelsBody = { fullScaleDb: 120, records: [{ ...compacted.records[0]!, LAeq: 40.001 }] };
    const jsonBytes = encodeLevelsBody(json);
    expect(jsonBytes.toString('utf8')).toBe(JSON.stringify(json));
    expect(decodeLevelsBody(jsonBytes, true)).toEqual(json);
    expect(decodeLevelsBody(jsonBytes).records[0]!.Z3!.dB10).toEqual([413, null, 300, -3, 2500]);
  });

  it('reads a JSON body as journals before the binary form wrote them, and refuses bytes of neither form', () => {
    const old = batch(0, 3, () => 48.5);
    expect(decodeLevelsBody(Buffer.from(JSON.stringify(old), 'utf8'))).toEqual(old);
    const bytes = encodeLevelsBody(bandBatch(0, 2));
    expect(() => decodeLevelsBody(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
    expect(() => decodeLevelsBody(Buffer.from([0x02, 0, 0]))).toThrow(RangeError);
  });
});

describe('a journal with bands', () => {
  it('signs the bands it journaled, across a restart', () => {
    const d = dir();
    let o = open(d, { wireBatchRecords: 10 });
    const sent: LevelRecord[] = [];
    for (let s = 0; s < 20; s++) {
      const b = bandBatch(s, 1);
      sent.push(...LevelsBodySchema.parse(b).records);
      o.enqueue('levels', b);
    }
    o.close();
    o = open(d, { wireBatchRecords: 10 });
    const bodies = drain(o).map((p) => openSigned(p.payload, keys.publicKey).body as LevelsBody);
    expect(bodies.map((b) => b.records.length)).toEqual([20]);
    expect(bodies.flatMap((b) => b.records)).toEqual(sent);
  });

  it('reads a journal written with JSON bodies (no bands), and joins them with new records carrying bands', () => {
    const d = dir();
    // A segment as the outbox wrote it before the binary levels body: header, then JSON levels messages.
    const old = [batch(0, 1, () => 45.1), batch(1, 1, () => 46.2), batch(2, 1, () => null)];
    old[2]!.records[0]!.silent = true;
    const frames = [encodeFrame(encodeRecord('header', 'status', 0, 0))];
    old.forEach((b, id) => frames.push(encodeFrame(encodeRecord('message', 'levels', id, 0, Buffer.from(JSON.stringify(b), 'utf8')))));
    writeFileSync(segmentPath(d, 1), Buffer.concat(frames));
    const o = open(d, { wireBatchRecords: 5 });
    expect(o.stats().depth).toBe(3);
    expect(o.stats().errors).toEqual([]);
    o.enqueue('levels', bandBatch(3, 1));
    o.enqueue('levels', bandBatch(4, 1));
    const parts = drain(o);
    expect(parts).toHaveLength(1);
    const body = openSigned(parts[0]!.payload, keys.publicKey).body as LevelsBody;
    expect(body.records.map((r) => r.Z3 === undefined)).toEqual([true, true, true, false, false]);
    expect(body.records.slice(0, 3)).toEqual(old.flatMap((b) => b.records));
    expect(body.records[3]!.Z3).toEqual(bands(3));
  });

  it('compacts over quota conserving each band energy-correctly; old JSON batches and new ones merge alike', () => {
    const d = dir();
    const quota = 160 * 1024;
    // 40 old JSON batches of 10 records without bands at the start of the journal.
    const frames = [encodeFrame(encodeRecord('header', 'status', 0, 0))];
    for (let id = 0; id < 40; id++) frames.push(encodeFrame(encodeRecord('message', 'levels', id, 0, Buffer.from(JSON.stringify(batch(id * 10, 10, () => 50)), 'utf8'))));
    writeFileSync(segmentPath(d, 1), Buffer.concat(frames));
    const o = open(d, { quotaBytes: quota, segmentBytes: 16 * 1024 });
    const levelOf = (s: number): number => Math.round(100 * (40 + 30 * Math.abs(Math.sin(s / 37)))) / 100;
    const first = 400;
    const seconds = 3_600;
    const energy = new Float64Array(33);
    for (let s = first; s < first + seconds; s += 10) {
      const b = bandBatch(s, 10, levelOf);
      for (const r of b.records) r.Z3!.dB10.forEach((v, i) => (energy[i]! += v === null ? 0 : 10 ** (v / 100)));
      o.enqueue('levels', b);
      expect(o.stats().bytes).toBeLessThanOrEqual(quota);
    }
    expect(o.stats().compactedRecords).toBeGreaterThan(seconds / 2);
    const records = drain(o).flatMap((p) => (openSigned(p.payload, keys.publicKey).body as LevelsBody).records);
    const older = records.filter((r) => Date.parse(r.t) < Date.parse(record(first, 0).t));
    const newer = records.filter((r) => Date.parse(r.t) >= Date.parse(record(first, 0).t));
    expect(older.reduce((a, r) => a + r.d, 0)).toBe(400);
    expect(older.every((r) => r.Z3 === undefined)).toBe(true);
    expect(older.some((r) => r.d > 1)).toBe(true);
    expect(newer.reduce((a, r) => a + r.d, 0)).toBe(seconds);
    expect(newer.every((r) => r.Z3?.dB10.length === 33)).toBe(true);
    expect(newer.some((r) => r.d > 1)).toBe(true);
    for (let i = 0; i < 33; i++) {
      const before = 10 * Math.log10(energy[i]! / seconds);
      const after = 10 * Math.log10(newer.reduce((a, r) => a + r.d * (r.Z3!.dB10[i] === null ? 0 : 10 ** (r.Z3!.dB10[i]! / 100)), 0) / seconds);
      // Each merge rounds a band to 0.1 dB. Halving makes neighbours ever closer, and the energy mean of two
      // values 0.1 dB apart (+0.051 dB) rounds up: a bias of up to 0.05 dB a halving, here +0.02 … +0.10 dB
      // after records of up to ~35 min (n ≈ 2 000, 11 halvings).
      expect(after - before).toBeGreaterThan(-0.05);
      expect(after - before).toBeLessThan(0.15);
    }
  });
});
