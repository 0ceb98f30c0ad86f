import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Table } from '../../src/outbox/crc32.ts';
import { encodeFrame, FRAME_HEADER_BYTES, scanFrames } from '../../src/outbox/frame.ts';

describe('CRC-32 (IEEE 802.3)', () => {
  it('gives the standard check value for "123456789"', () => {
    // The catalogue check value of CRC-32/ISO-HDLC (the IEEE 802.3 CRC).
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('table and native implementations agree', () => {
    for (let i = 0; i < 50; i++) {
      const b = randomBytes(i * 37);
      expect(crc32Table(b)).toBe(crc32(b));
    }
  });
});

describe('journal frames', () => {
  const payloads = [Buffer.from('first record'), randomBytes(300), Buffer.from('x')];
  const file = Buffer.concat(payloads.map(encodeFrame));

  it('reads back every payload', () => {
    const scan = scanFrames(file);
    expect(scan.damage).toBeNull();
    expect(scan.validEnd).toBe(file.length);
    expect(scan.frames.map((f) => file.subarray(f.offset, f.offset + f.length))).toEqual(payloads);
  });

  it('cuts a torn tail at the last whole record, wherever the write stopped', () => {
    const ends = [0];
    for (const p of payloads) ends.push(ends[ends.length - 1]! + FRAME_HEADER_BYTES + p.length);
    for (let cut = 0; cut < file.length; cut++) {
      const scan = scanFrames(file.subarray(0, cut));
      const whole = ends.filter((e) => e <= cut).length - 1;
      expect(scan.frames.length).toBe(whole);
      expect(scan.validEnd).toBe(ends[whole]);
      expect(scan.damage === null).toBe(cut === ends[whole]);
    }
  });

  it('stops at a flipped bit, and at a zero-filled tail', () => {
    const damaged = Buffer.from(file);
    damaged[FRAME_HEADER_BYTES + payloads[0]!.length + FRAME_HEADER_BYTES + 10]! ^= 0x04;
    const scan = scanFrames(damaged);
    expect(scan.frames.length).toBe(1);
    expect(scan.damage).toMatch(/CRC mismatch/);
    const zeros = scanFrames(Buffer.concat([file, Buffer.alloc(4096)]));
    expect(zeros.frames.length).toBe(3);
    expect(zeros.validEnd).toBe(file.length);
    expect(zeros.damage).toMatch(/impossible record length 0/);
  });
});
