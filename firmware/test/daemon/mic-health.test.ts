/**
 * The heartbeat's microphone state (StatusBody.mic): a heartbeat sent the
 * moment the monitor starts, or re-sent on a config change, has heard nothing
 * yet and must not say "no-signal"; a real period with no audio must.
 */
import { describe, expect, it } from 'vitest';
import { MicHealth, NO_SIGNAL_AFTER_MS } from '../../src/daemon/mic-health.ts';

function clock(startMs = 1_796_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

describe('MicHealth', () => {
  it('says "unknown", not "no-signal", at the heartbeat sent as the monitor starts', () => {
    const c = clock();
    const mic = new MicHealth(c.now);
    c.advance(30);
    expect(mic.take()).toEqual({ state: 'unknown', silentSeconds: 0, clippedSamples: 0 });
  });

  it('counts the seconds heard since start in the first full heartbeat', () => {
    const c = clock();
    const mic = new MicHealth(c.now);
    mic.take();
    for (let i = 0; i < 60; i++) { c.advance(1000); mic.add(1, i < 10, 0); }
    expect(mic.take()).toEqual({ state: 'ok', silentSeconds: 10, clippedSamples: 0 });
  });

  it('repeats the last state for a heartbeat re-sent within seconds of the last, and counts that time in the next', () => {
    const c = clock();
    const mic = new MicHealth(c.now);
    for (let i = 0; i < 60; i++) { c.advance(1000); mic.add(1, false, i === 5 ? 3 : 0); }
    expect(mic.take().state).toBe('clipping');
    c.advance(200);
    expect(mic.take()).toEqual({ state: 'clipping', silentSeconds: 0, clippedSamples: 0 });
    for (let i = 0; i < 60; i++) { c.advance(1000); mic.add(1, true, 0); }
    expect(mic.take()).toEqual({ state: 'silent', silentSeconds: 60, clippedSamples: 0 });
  });

  it('says "no-signal" once a period of the threshold or longer brought no audio', () => {
    const c = clock();
    const mic = new MicHealth(c.now);
    for (let i = 0; i < 60; i++) { c.advance(1000); mic.add(1, false, 0); }
    expect(mic.take().state).toBe('ok');
    c.advance(NO_SIGNAL_AFTER_MS - 1);
    expect(mic.take().state).toBe('ok');
    c.advance(1);
    expect(mic.take()).toEqual({ state: 'no-signal', silentSeconds: 0, clippedSamples: 0 });
    c.advance(60_000);
    expect(mic.take().state).toBe('no-signal');
    c.advance(1000); mic.add(1, false, 0);
    expect(mic.take().state).toBe('ok');
  });
});
