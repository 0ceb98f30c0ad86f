/** The charts' level series from the database: one per night and monitor, never two monitors merged (issue 10 item 6). */
import { afterEach, describe, expect, it } from 'vitest';
import { openCase, startDeployment } from '../../src/cases/index.ts';
import { nightSeries } from '../../src/export/night-series.ts';
import { deploymentSpans } from '../../src/export/spans.ts';
import { openSnapshot } from '../../src/export/snapshot.ts';
import { DAY, type ExportFixture, HOUR, makeExportFixture } from './fixture.ts';

/** Monday 2 November 2026, midday (GMT). */
const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const REF = 'ASB-2026-0201';
const iso = (ms: number): string => new Date(ms).toISOString();

let f: ExportFixture;
afterEach(() => f.close());

describe('night series per monitor', () => {
  it('gives each of two monitors on one case its own chart of its own levels', () => {
    f = makeExportFixture(T0);
    f.clock = T0 - HOUR;
    openCase(f.ingest.cases, { ref: REF, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    const bedroom = f.device('mon-bed');
    const lounge = f.device('mon-lounge');
    for (const id of ['mon-bed', 'mon-lounge']) startDeployment(f.ingest.cases, { caseRef: REF, deviceId: id, installedAt: iso(T0), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
    // 23:00–23:20 on both; the bedroom quiet, the lounge loud.
    bedroom.levels(T0 + 11 * HOUR, 1200, 35);
    lounge.levels(T0 + 11 * HOUR, 1200, 55);
    f.clock = T0 + 2 * DAY;
    const snap = openSnapshot(f.ingest.dir.database);
    try {
      const period = { from: T0, to: T0 + DAY };
      const series = nightSeries(snap.db, period, deploymentSpans(snap.db, REF, period, f.clock));
      expect(series.map((s) => s.deviceId).sort()).toEqual(['mon-bed', 'mon-lounge']);
      const bed = series.find((s) => s.deviceId === 'mon-bed')!;
      const lng = series.find((s) => s.deviceId === 'mon-lounge')!;
      // Each its own levels, not the two merged into one line (their energy mean, 52.0 dB).
      expect(bed.LAeq.every((v) => v === 35)).toBe(true);
      expect(lng.LAeq.every((v) => v === 55)).toBe(true);
      expect(bed.label).toBe('Night of Mon 2 Nov 2026: 12:00 Mon 2 Nov to 12:00 Tue 3 Nov, monitor mon-bed');
      expect(lng.label).toContain('monitor mon-lounge');
    } finally {
      snap.close();
    }
  });

  it('reads a night that holds only seconds of levels at 1 s, and a full night at 2 minutes', () => {
    f = makeExportFixture(T0);
    f.clock = T0 - HOUR;
    openCase(f.ingest.cases, { ref: REF, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
    const short = f.device('mon-short');
    const long = f.device('mon-long');
    for (const id of ['mon-short', 'mon-long']) startDeployment(f.ingest.cases, { caseRef: REF, deviceId: id, installedAt: iso(T0), installedBy: 'Sam Patel', calibration: { readingDb: 94, fullScaleDb: 120 } });
    short.levels(T0 + 11 * HOUR, 10, 41);
    long.levels(T0 + HOUR, 20 * 3600, 30);
    f.clock = T0 + 2 * DAY;
    const snap = openSnapshot(f.ingest.dir.database);
    try {
      const period = { from: T0, to: T0 + DAY };
      const series = nightSeries(snap.db, period, deploymentSpans(snap.db, REF, period, f.clock));
      const s = series.find((x) => x.deviceId === 'mon-short')!;
      // Ten 1 s points, each its own record, not one 2-minute mean.
      expect(s.t).toEqual(Array.from({ length: 10 }, (_, i) => T0 + 11 * HOUR + i * 1000));
      expect(s.LAeq.every((v) => v === 41)).toBe(true);
      expect(s.from).toBe(iso(T0));
      const l = series.find((x) => x.deviceId === 'mon-long')!;
      expect(l.t[1]! - l.t[0]!).toBe(120_000);
    } finally {
      snap.close();
    }
  });
});
