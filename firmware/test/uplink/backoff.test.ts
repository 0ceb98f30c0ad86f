/**
 * The reconnect schedule on a simulated clock with a given random source
 * (deterministic jitter): a restored link is used within 10 s after a cut of
 * any length, a fleet of 10,000 monitors comes back spread out, and a refused
 * publish does not escalate the network backoff (issue 18).
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, HANDSHAKE_TIMEOUT_MS, ReconnectSchedule } from '../../src/uplink/index.ts';

/** A small seeded PRNG (mulberry32), so the fleet is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** When the first attempt at or after `restoredMs` starts, for attempts that fail at once while the link is down. */
function firstAttemptAfter(restoredMs: number, delay: (attempt: number) => number): number {
  let t = delay(0);
  for (let attempt = 1; t < restoredMs; attempt++) t += delay(attempt);
  return t;
}

const JITTERS = [0.999, 0.5, 0.01];
const CUTS_S = [5, 47, 150, 600, 3_600];

describe('reconnect schedule', () => {
  it('uses a restored link within 10 s after a cut of any length (47 s took 58 s with a 120 s cap)', () => {
    for (const r of JITTERS) {
      for (const cut of CUTS_S) {
        const at = firstAttemptAfter(cut * 1000, (n) => backoffDelay(n, DEFAULT_BACKOFF, () => r));
        expect(at - cut * 1000, `cut ${cut} s, jitter ${r}`).toBeLessThanOrEqual(10_000);
      }
    }
    expect(DEFAULT_BACKOFF.maxMs).toBeLessThanOrEqual(10_000);
  });

  it('uses a restored link within 10 s when the cut black-holes the handshake', () => {
    // An attempt during a black hole hangs until the handshake timeout; the kernel sends SYNs 0 and 1 s into it (RFC 6298 §2).
    const SYN_AT_MS = [0, 1_000];
    for (const r of JITTERS) {
      for (let restored = 20_000; restored < 80_000; restored += 137) {
        const s = new ReconnectSchedule(DEFAULT_BACKOFF, () => r);
        let t = s.next('dropped');
        let up: number | null = null;
        while (up === null) {
          const syn = SYN_AT_MS.map((d) => t + d).find((x) => x >= restored);
          if (syn !== undefined && syn < t + HANDSHAKE_TIMEOUT_MS) up = syn;
          else t += HANDSHAKE_TIMEOUT_MS + s.next('failed');
        }
        expect(up - restored, `restored at ${restored} ms, jitter ${r}`).toBeLessThanOrEqual(10_000);
      }
    }
  });

  it('brings 10,000 monitors back spread over the cap, never in lockstep', () => {
    const fleet = 10_000;
    const cut = 300_000;
    const random = seeded(18);
    const perSecond = new Array<number>(20).fill(0);
    const per100ms = new Map<number, number>();
    let latest = 0;
    for (let m = 0; m < fleet; m++) {
      const s = new ReconnectSchedule(DEFAULT_BACKOFF, random);
      let t = s.next('dropped');
      while (t < cut) t += s.next('failed');
      latest = Math.max(latest, t - cut);
      perSecond[Math.floor((t - cut) / 1000)]!++;
      const slot = Math.floor((t - cut) / 100);
      per100ms.set(slot, (per100ms.get(slot) ?? 0) + 1);
    }
    // Every monitor within the 8 s cap; at most fleet / (mean wait 4 s) = 2,500 CONNECTs in any second, falling after.
    expect(latest).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(2_500);
    expect(Math.max(...per100ms.values())).toBeLessThanOrEqual(300);
    expect(perSecond.slice(0, 8).every((n) => n > 0)).toBe(true);
  });

  it('counts a refused publish apart from network failures: a CONNACK proves the link, a PUBACK the storage', () => {
    const s = new ReconnectSchedule({ initialMs: 500, maxMs: 8_000 }, () => 1);
    // The network down: each failed attempt doubles the ceiling up to the cap.
    expect([0, 1, 2, 3, 4, 5].map(() => s.next('failed'))).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    // The ingest answers but cannot store: the failures are forgotten; refusals back off on their own count.
    s.connected();
    expect(s.state()).toEqual({ failures: 0, refusals: 0 });
    const refused: number[] = [];
    for (let i = 0; i < 6; i++) {
      s.connected();
      refused.push(s.next('refused'));
    }
    expect(refused).toEqual([500, 1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(s.state()).toEqual({ failures: 0, refusals: 6 });
    // A cut now is retried from the bottom of the network schedule, not from where the refusals got to.
    expect(s.next('failed')).toBe(500);
    // The ingest stores again: the next refusal starts from the bottom too.
    s.connected();
    s.acknowledged();
    expect(s.next('dropped')).toBe(500);
    expect(s.next('refused')).toBe(500);
  });

  it('never asks mqtt.js for a zero period (it would stop reconnecting)', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0)).toBe(1);
  });
});
