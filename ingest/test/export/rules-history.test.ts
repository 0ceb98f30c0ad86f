/**
 * The rules in force at each time (issue 10 items 7 and 10), from the configs
 * the ingest published (device_config_history, createDeviceConfigs) and the
 * versions the monitors' heartbeats reported: the method section's periods and
 * the chart threshold segments before and after a change mid-period; the Noise
 * Act rule's segments as each event's own threshold over its span; a fixed rule's
 * threshold over the windows its schedule armed. Real data folder, real pipeline.
 */
import { type Rule as DeviceRule, Rule as RuleSchema } from '@earshot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BundleModel } from '../../src/bundle/index.ts';
import { openCase, startDeployment } from '../../src/cases/index.ts';
import { buildBundleSource, parsePeriod, logEvidence } from '../../src/export/index.ts';
import { openSnapshot } from '../../src/export/snapshot.ts';
import { createDeviceConfigs } from '../../src/service/device-config.ts';
import { Settings } from '../../src/service/settings.ts';
import { DAY, type ExportFixture, HOUR, type TestDevice, makeExportFixture } from './fixture.ts';

const MIN = 60_000;
/** Monday 2 November 2026, midday GMT (UK time = UTC). */
const T0 = Date.parse('2026-11-02T12:00:00.000Z');
const REF = 'ASB-2026-0320';
const iso = (ms: number): string => new Date(ms).toISOString();
const at = (h: number, m = 0): number => T0 + ((h < 12 ? h + 24 : h) - 12) * HOUR + m * MIN;
const INSTALL = at(13, 0);
const CHANGE = at(2, 0);
const END = T0 + DAY;

const rules = (impulsiveDb: number): DeviceRule[] =>
  [
    { type: 'noise-act-night', id: 'noise-act-night' },
    { type: 'impulsive', id: 'impulsive', thresholdDb: impulsiveDb },
    { type: 'absolute', id: 'loud-night', thresholdDb: 50, schedule: { start: '23:00', end: '07:00' } },
    { type: 'background-relative', id: 'over-background', deltaDb: 10 },
  ].map((r) => RuleSchema.parse(r));

let f: ExportFixture;
beforeEach(() => {
  f = makeExportFixture(T0 - DAY);
});
afterEach(() => f.close());

function heartbeat(dev: TestDevice, atMs: number, version: number | null): void {
  dev.send('status', {
    uptimeSeconds: 100, clock: { synced: true, offsetMs: 5, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1_000_000, compactedRecords: 0 }, disk: null, temperatureC: null,
    mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: 120, config: { version, lastReceived: null }, capture: { source: 'alsa', restarts: 0, lastError: null },
  }, atMs);
}

async function model(): Promise<BundleModel> {
  const snap = openSnapshot(f.ingest.dir.database);
  try {
    const head = f.ingest.log.signTreeHead();
    return (await buildBundleSource(snap.db, logEvidence(f.ingest.log, head), REF, parsePeriod(iso(T0), iso(END)), { clipsDir: f.ingest.dir.clips, serviceRules: [], includeComplainant: false, nowMs: f.clock })).model;
  } finally {
    snap.close();
  }
}

/** mon-1 reports the version it runs (v1 from installation, v2 from 02:10); mon-2 never says. */
async function caseWithRuleChange(): Promise<{ mon1: TestDevice; mon2: TestDevice }> {
  openCase(f.ingest.cases, { ref: REF, category: 'general', officer: 'Jo Smith', address: '1 Elm Court, Leeds' });
  const mon1 = f.device('mon-1');
  const mon2 = f.device('mon-2');
  for (const d of ['mon-1', 'mon-2']) startDeployment(f.ingest.cases, { caseRef: REF, deviceId: d, installedAt: iso(INSTALL), installedBy: 'Sam Patel' });
  const v1 = createDeviceConfigs(f.ingest, Settings.parse({ rules: rules(65) }));
  const v2 = createDeviceConfigs(f.ingest, Settings.parse({ rules: rules(60) }));
  for (const d of ['mon-1', 'mon-2']) expect(v1.next(d, INSTALL)?.version).toBe(1);
  heartbeat(mon1, INSTALL, 1);
  heartbeat(mon2, INSTALL, null);
  for (const d of ['mon-1', 'mon-2']) expect(v2.next(d, CHANGE)?.version).toBe(2);
  heartbeat(mon1, at(2, 10), 2);
  heartbeat(mon2, at(2, 10), null);
  f.clock = END + DAY;
  return { mon1, mon2 };
}

describe('the rules history in the bundle', () => {
  it('gives each setting of a rule with the times it was in force on each monitor: confirmed by heartbeats, or from publication', async () => {
    await caseWithRuleChange();
    const m = await model();
    const impulsive = m.rules.filter((r) => r.id === 'impulsive');
    expect(impulsive.map((r) => r.description.slice(0, 32))).toEqual(['Any LAFmax at or above 65 dB wit', 'Any LAFmax at or above 60 dB wit']);
    expect(impulsive[0]!.inForce).toEqual([
      { deviceId: 'mon-1', from: iso(INSTALL), to: iso(at(2, 10)), configVersion: 1, confirmed: true },
      { deviceId: 'mon-2', from: iso(INSTALL), to: iso(CHANGE), configVersion: 1, confirmed: false },
    ]);
    expect(impulsive[1]!.inForce).toEqual([
      { deviceId: 'mon-1', from: iso(at(2, 10)), to: iso(END), configVersion: 2, confirmed: true },
      { deviceId: 'mon-2', from: iso(CHANGE), to: iso(END), configVersion: 2, confirmed: false },
    ]);
    for (const r of impulsive) expect(r.changed).toMatch(/changed during the period/);
    // A rule whose settings did not change is one entry, its two versions one period per monitor.
    const noiseAct = m.rules.filter((r) => r.id === 'noise-act-night');
    expect(noiseAct).toHaveLength(1);
    expect(noiseAct[0]!.changed).toBeUndefined();
    expect(noiseAct[0]!.inForce).toEqual([
      { deviceId: 'mon-1', from: iso(INSTALL), to: iso(END), configVersion: 1, confirmed: true },
      { deviceId: 'mon-2', from: iso(INSTALL), to: iso(END), configVersion: 1, confirmed: false },
    ]);
    // The Noise Act permitted level moves with the underlying level: no fixed line is claimed for it.
    expect(noiseAct[0]!.thresholdDb).toBeNull();
  });

  it('draws the impulsive threshold as it was before and after the change, on each monitor', async () => {
    await caseWithRuleChange();
    const seg = (await model()).thresholds.filter((s) => s.ruleId === 'impulsive').sort((a, b) => a.deviceId.localeCompare(b.deviceId) || a.from.localeCompare(b.from));
    expect(seg).toEqual([
      { deviceId: 'mon-1', ruleId: 'impulsive', label: 'Impulsive noise threshold (LAFmax)', from: iso(INSTALL), to: iso(at(2, 10)), thresholdDb: 65, metric: 'LAFmax' },
      { deviceId: 'mon-1', ruleId: 'impulsive', label: 'Impulsive noise threshold (LAFmax)', from: iso(at(2, 10)), to: iso(END), thresholdDb: 60, metric: 'LAFmax' },
      { deviceId: 'mon-2', ruleId: 'impulsive', label: 'Impulsive noise threshold (LAFmax)', from: iso(INSTALL), to: iso(CHANGE), thresholdDb: 65, metric: 'LAFmax' },
      { deviceId: 'mon-2', ruleId: 'impulsive', label: 'Impulsive noise threshold (LAFmax)', from: iso(CHANGE), to: iso(END), thresholdDb: 60, metric: 'LAFmax' },
    ]);
  });

  it('draws a fixed rule with a schedule only over the windows it was armed (23:00–07:00 UK time)', async () => {
    await caseWithRuleChange();
    const seg = (await model()).thresholds.filter((s) => s.ruleId === 'loud-night' && s.deviceId === 'mon-1');
    // The night window, cut where the config version changed, at the same 50 dB on both sides.
    expect(seg.map((s) => [s.from, s.to, s.thresholdDb, s.metric])).toEqual([
      [iso(at(23, 0)), iso(at(2, 10)), 50, 'LAeq'],
      [iso(at(2, 10)), iso(at(7, 0)), 50, 'LAeq'],
    ]);
  });

  it('draws the Noise Act permitted level as each event\'s own threshold over its span, an open event\'s to the end of the period', async () => {
    const { mon1 } = await caseWithRuleChange();
    f.clock = T0;
    const e1 = await mon1.event({ startMs: at(23, 30), seconds: 300, laeq: 41, threshold: 34, tone: 0, clip: false });
    // The monitor's permitted level when the underlying level was 28.5 dB: 38.5 dB (Noise Act 1996 s.5; the Directions 2008).
    const e2 = await mon1.event({ startMs: at(3, 0), seconds: 600, laeq: 44, threshold: 38.5, tone: 0, clip: false });
    mon1.started({ startMs: at(6, 50), level: 45, threshold: 40.25 });
    // The background rule's level moves too.
    await mon1.event({ startMs: at(14, 0), seconds: 300, laeq: 50, ruleId: 'over-background', ruleType: 'background-relative', threshold: 42, tone: 0, clip: false });
    // A fixed rule's events add no segment of their own.
    await mon1.event({ startMs: at(1, 0), seconds: 2, laeq: 60, ruleId: 'impulsive', ruleType: 'impulsive', threshold: 65, tone: 0, clip: false });
    f.clock = END + DAY;
    const seg = (await model()).thresholds.filter((s) => s.deviceId === 'mon-1' && (s.ruleId === 'noise-act-night' || s.ruleId === 'over-background'));
    expect(seg).toEqual([
      { deviceId: 'mon-1', ruleId: 'over-background', label: 'Background + margin (LAeq)', from: iso(at(14, 0)), to: iso(at(14, 5)), thresholdDb: 42, metric: 'LAeq' },
      { deviceId: 'mon-1', ruleId: 'noise-act-night', label: 'Noise Act permitted level (LAeq)', from: iso(at(23, 30)), to: iso(at(23, 35)), thresholdDb: 34, metric: 'LAeq' },
      { deviceId: 'mon-1', ruleId: 'noise-act-night', label: 'Noise Act permitted level (LAeq)', from: iso(at(3, 0)), to: iso(at(3, 10)), thresholdDb: 38.5, metric: 'LAeq' },
      { deviceId: 'mon-1', ruleId: 'noise-act-night', label: 'Noise Act permitted level (LAeq)', from: iso(at(6, 50)), to: iso(END), thresholdDb: 40.25, metric: 'LAeq' },
    ]);
    void e1;
    void e2;
  });
});
