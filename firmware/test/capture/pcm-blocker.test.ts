import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/capture/backoff.ts';
import { PcmBlocker } from '../../src/capture/pcm-blocker.ts';
import { SampleClock } from '../../src/capture/sample-clock.ts';
import { StderrTail } from '../../src/capture/stderr-tail.ts';

describe('PCM blocker', () => {
  it('makes identical blocks whatever the chunking, frames split anywhere', () => {
    // 3 channels of int16, frame i channel c = i·10 + c.
    const frames = 1000;
    const raw = Buffer.alloc(frames * 6);
    for (let i = 0; i < frames; i++) for (let c = 0; c < 3; c++) raw.writeInt16LE(i * 10 + c, (i * 3 + c) * 2);
    const fmt = { encoding: 'int' as const, bitsPerSample: 16, channels: 3, sampleRate: 8000 };
    for (const chunk of [1, 5, 7, 6, 4096, 6000]) {
      const got: number[] = [];
      const sizes: number[] = [];
      const b = new PcmBlocker(fmt, 2, 128, (s, n) => {
        sizes.push(n);
        for (let i = 0; i < n; i++) got.push(Math.round(s[i]! * 32768));
      });
      for (let at = 0; at < raw.length; at += chunk) b.push(raw.subarray(at, at + chunk));
      expect(sizes).toEqual(Array(7).fill(128));
      expect(got).toEqual(Array.from({ length: 896 }, (_, i) => i * 10 + 2));
      expect(b.pendingBytes).toBe((1000 - 896) * 6);
      b.discard();
      expect(b.pendingBytes).toBe(0);
    }
  });
});

describe('sample clock', () => {
  it('counts samples from the first arrival and ignores arrival jitter', () => {
    const c = new SampleClock(48_000);
    expect(c.blockStart(0, 4800, 10_100)).toBe(10_000);
    // Late by 80 ms (pipe burst): still on the sample count.
    expect(c.blockStart(4800, 4800, 10_280)).toBe(10_100);
    expect(c.blockStart(9600, 4800, 10_290)).toBe(10_200);
    expect(c.reanchors).toBe(0);
  });

  it('re-anchors when the sample count and the system clock part by more than the tolerance', () => {
    const c = new SampleClock(48_000, 250);
    c.blockStart(0, 4800, 10_100);
    // A gap the count cannot know about (overrun): the arrival is 1 s later than the count says.
    expect(c.blockStart(4800, 4800, 11_200)).toBe(11_100);
    expect(c.reanchors).toBe(1);
    expect(c.blockStart(9600, 4800, 11_300)).toBe(11_200);
    c.reset();
    expect(c.blockStart(14_400, 4800, 20_000)).toBe(19_900);
  });
});

describe('backoff and stderr tail', () => {
  it('doubles up to the ceiling and resets after a healthy run', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 500, healthyAfterMs: 10_000 });
    expect([b.delayAfter(5), b.delayAfter(5), b.delayAfter(5), b.delayAfter(5), b.delayAfter(5)]).toEqual([100, 200, 400, 500, 500]);
    expect(b.delayAfter(60_000)).toBe(100);
  });

  it('keeps the last non-empty line, across chunks', () => {
    const t = new StderrTail();
    expect(t.lastLine()).toBeNull();
    t.push(Buffer.from('overrun!!! (at least 1.2 ms long)\n\nar'));
    expect(t.lastLine()).toBe('ar');
    t.push(Buffer.from('ecord: read error\n'));
    expect(t.lastLine()).toBe('arecord: read error');
  });
});
