import { describe, expect, it } from 'vitest';
import { ClipManifest, EventBody, LevelsBody, StatusBody, bodySchemas } from '../src/index.ts';

const record = { t: '2026-11-24T22:00:00.000Z', d: 1, LAeq: 41.2, LCeq: 55.3, LZeq: 60.1, LAFmax: 48.9, LAFmin: 35.2, LASmax: 44.4, LCpeak: 71.8 };

describe('message bodies (one zod schema each, DESIGN §4)', () => {
  it('has a schema for every signed kind', () => {
    expect(Object.keys(bodySchemas).sort()).toEqual(['clip', 'event', 'levels', 'status']);
  });

  it('levels: accepts a batch with silence as null, rejects NaN-ish and out-of-range values', () => {
    expect(LevelsBody.safeParse({ fullScaleDb: 120, records: [record, { ...record, LAeq: null, silent: true }] }).success).toBe(true);
    expect(LevelsBody.safeParse({ fullScaleDb: 120, records: [] }).success).toBe(false);
    expect(LevelsBody.safeParse({ fullScaleDb: 120, records: [{ ...record, LAeq: 1e308 }] }).success).toBe(false);
    expect(LevelsBody.safeParse({ fullScaleDb: 120, records: [{ ...record, LAeq: '41' }] }).success).toBe(false);
    expect(LevelsBody.safeParse({ fullScaleDb: 120, records: [{ ...record, t: '2026-11-24 22:00' }] }).success).toBe(false);
  });

  it('event: started, ended and incident', () => {
    expect(EventBody.safeParse({ kind: 'started', eventId: 'night-1764021600000', ruleId: 'night', ruleType: 'noise-act-night', startedAt: record.t, level: 41, threshold: 34 }).success).toBe(true);
    expect(EventBody.safeParse({ kind: 'ended', eventId: 'e1', ruleId: 'night', ruleType: 'noise-act-night', startedAt: record.t, endedAt: record.t, durationSeconds: 310, LAeq: 41, LAFmax: 60, LCminusLA: 14, backgroundLAF90: 22.3, threshold: 34, clipIds: ['clip-e1-0'] }).success).toBe(true);
    expect(EventBody.safeParse({ kind: 'incident', eventId: 'btn-3', at: record.t, source: 'button', clipIds: [] }).success).toBe(true);
    expect(EventBody.safeParse({ kind: 'exploded', eventId: 'x' }).success).toBe(false);
  });

  it('clip manifest: chunk count must agree with the size', () => {
    const m = { clipId: 'clip-0001', eventId: 'e1', sha256: 'a'.repeat(64), bytes: 200_000, chunks: 4, chunkBytes: 65_536, sampleRate: 48_000, channels: 1, bitsPerSample: 16, fullScaleDb: 120, startedAt: record.t, durationSeconds: 2.08, preTriggerSeconds: 10, postTriggerSeconds: 5 };
    expect(ClipManifest.safeParse(m).success).toBe(true);
    expect(ClipManifest.safeParse({ ...m, chunks: 3 }).success).toBe(false);
    expect(ClipManifest.safeParse({ ...m, sha256: 'A'.repeat(64) }).success).toBe(false);
  });

  it('status: unknowns are null', () => {
    const s = {
      uptimeSeconds: 3600, clock: { synced: null, offsetMs: null, source: 'none' },
      outbox: { depth: 3, bytes: 4096, quotaBytes: 1e9, compactedRecords: 0 }, disk: null, temperatureC: null,
      mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120,
      config: { version: 3, lastReceived: { version: 4, accepted: false, error: 'rules.0.type: unknown' } },
      capture: { source: 'alsa', restarts: 0, lastError: null },
    };
    expect(StatusBody.safeParse(s).success).toBe(true);
    expect(StatusBody.safeParse({ ...s, temperatureC: 'hot' }).success).toBe(false);
  });
});
