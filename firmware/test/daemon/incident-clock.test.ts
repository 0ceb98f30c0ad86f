/** One clock for levels and incident marks (issue 18, item 6): a wall-clock press mapped onto the capture clock. */
import { describe, expect, it } from 'vitest';
import type { IncidentPressed } from '@earshot/shared';
import { CaptureClockMap } from '../../src/capture/sample-clock.ts';
import { Monitor } from '../../src/daemon/monitor.ts';
import { RemoteConfig } from '@earshot/shared';
import { FS_DB, RATE, blocks, scene } from './signals.ts';

describe('CaptureClockMap', () => {
  it('maps a wall instant by the least-delayed block arrival seen', () => {
    const m = new CaptureClockMap();
    expect(m.toCapture(5_000)).toBe(5_000);
    // Capture clock 2 s behind the wall clock; arrivals 0–40 ms late.
    for (let i = 0; i < 20; i++) m.observe(100 + i * 100, 2_100 + i * 100 + (i % 5) * 10);
    expect(m.toCapture(4_000)).toBe(2_000);
  });
});

describe('Monitor incident time', () => {
  it('stamps a press on the capture clock the level records use, not the wall clock', () => {
    const emitted: { kind: string; body: unknown }[] = [];
    // The capture clock runs 90 s behind the wall clock (a replay dated earlier, or a re-anchored sound card).
    const CAPTURE_T0 = Date.parse('2026-06-01T12:00:00.000Z');
    const OFFSET = 90_000;
    let wall = 0;
    const monitor = new Monitor({
      deviceId: 'flat-9-monitor',
      config: RemoteConfig.parse({ version: 1, rules: [], audio: { mode: 'off' } }),
      fullScaleDb: FS_DB,
      emit: (kind: 'levels' | 'event', body: unknown) => void emitted.push({ kind, body }),
      makeClipRecorder: null,
      wallNow: () => wall,
    });
    for (const b of blocks(scene([{ seconds: 5 }]), CAPTURE_T0, RATE / 10)) {
      wall = b.startedAtMs + (b.frames * 1000) / RATE + OFFSET;
      monitor.pcmBlock(b);
    }
    // Pressed 5 s into the audio by the wall clock.
    const incident = monitor.incident(CAPTURE_T0 + 5_000 + OFFSET, 'button') as IncidentPressed;
    expect(incident.at).toBe(new Date(CAPTURE_T0 + 5_000).toISOString());
    const last = (emitted.filter((e) => e.kind === 'levels').at(-1)!.body as { records: { t: string }[] }).records.at(-1)!;
    // The level record of the second just before the press ends where the press is.
    expect(Date.parse(last.t) + 1_000).toBe(Date.parse(incident.at));
  });
});
