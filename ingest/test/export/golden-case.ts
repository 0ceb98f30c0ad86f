/**
 * The golden bundle's case (issue 10 "Done means"): one case, two monitors, the
 * night of Monday 2 November 2026 (GMT, so UK time = UTC) in full, through the
 * real pipeline into a real data folder:
 * - mon-a calibrated before installation (94.5 dB read at 120.00 → 119.50) and
 *   recalibrated at 07:00 (94.3 dB at 119.50 → 119.20), its level batches stating
 *   each; mon-b calibrated once (94.0 at 120.00 → 120.00);
 * - the rules published at installation (impulsive 65 dB) and changed at 02:00
 *   (impulsive 60 dB): mon-a's heartbeats confirm each version, mon-b's say nothing;
 * - mon-a: the Noise Act event 23:30–23:32 with its clip (JS/1), the button
 *   pressed inside that clip, two impulsive events (one under each rule
 *   version), a gap record 03:10–03:30 (no levels then), 48 dB before 23:00;
 * - mon-b: an event overlapping mon-a's clip (never mon-a's exhibit), a bass
 *   event with its own clip (JS/2), an event in the hour its clock was
 *   unsynchronised (01:00–02:00), and a Noise Act event still open at the end of
 *   the period;
 * - two diary entries: 23:29–23:36, and 02:00 alone.
 * Each level is a function of the time (levelAt), so the test computes every
 * expected figure from it, independently of the export.
 */
import { type Rule, Rule as RuleSchema } from '@earshot/shared';
import { addDiaryEntry, openCase, startDeployment } from '../../src/cases/index.ts';
import { createDeviceConfigs } from '../../src/service/device-config.ts';
import { Settings } from '../../src/service/settings.ts';
import { DAY, type ExportFixture, HOUR, type TestDevice } from './fixture.ts';

export const MIN = 60_000;
/** Monday 2 November 2026, midday GMT. */
export const T0 = Date.parse('2026-11-02T12:00:00.000Z');
export const REF = 'ASB-2026-0310';
export const PERIOD = { from: new Date(T0).toISOString(), to: new Date(T0 + DAY).toISOString() };
export const iso = (ms: number): string => new Date(ms).toISOString();
/** UK (= UTC) clock time on the night of Mon 2 Nov: at(23, 10) is 23:10 Monday, at(1, 0) 01:00 Tuesday; 12:00 and later is Monday. */
export const at = (h: number, m = 0, s = 0): number => T0 + ((h < 12 ? h + 24 : h) - 12) * HOUR + m * MIN + s * 1000;

export const DEVICES = ['mon-a', 'mon-b'] as const;
export type GoldenDevice = (typeof DEVICES)[number];

/** Where each monitor has level records: [from, to) pairs. */
export const RECORDED: Readonly<Record<GoldenDevice, readonly (readonly [number, number])[]>> = {
  'mon-a': [[at(22, 50), at(3, 10)], [at(3, 30), at(8, 0)]],
  'mon-b': [[at(22, 50), at(7, 0)]],
};

export interface LevelAt {
  readonly LAeq: number;
  readonly LAFmax: number;
}

/** Every 1 s record's LAeq and LAFmax, by monitor and start time (the other levels follow from LAeq: sendLevels). */
export function levelAt(device: GoldenDevice, t: number): LevelAt {
  const plain = (l: number): LevelAt => ({ LAeq: l, LAFmax: l + 6 });
  const within = (a: number, b: number): boolean => t >= a && t < b;
  if (device === 'mon-a') {
    if (within(at(22, 55), at(23, 0))) return plain(48);
    if (within(at(23, 30), at(23, 32))) return plain(45);
    if (within(at(1, 0), at(1, 0, 2))) return { LAeq: 58, LAFmax: 70 };
    if (within(at(4, 0), at(4, 0, 2))) return { LAeq: 52, LAFmax: 64 };
    return plain(30);
  }
  if (within(at(23, 33), at(23, 33, 20))) return plain(40);
  if (within(at(1, 30), at(1, 31))) return plain(44);
  if (within(at(6, 50), at(7, 0))) return plain(50);
  return plain(28);
}

/** The calibration each monitor's level batches state at time t (what it measured with). */
export function fullScaleAt(device: GoldenDevice, t: number): number {
  if (device === 'mon-b') return 120;
  return t < at(7, 0) ? 119.5 : 119.2;
}

export const CALIBRATIONS: Readonly<Record<GoldenDevice, readonly { atMs: number; measuredDb: number; previousFullScaleDb: number; fullScaleDb: number }[]>> = {
  'mon-a': [
    { atMs: at(12, 30), measuredDb: 94.5, previousFullScaleDb: 120, fullScaleDb: 119.5 },
    { atMs: at(7, 0), measuredDb: 94.3, previousFullScaleDb: 119.5, fullScaleDb: 119.2 },
  ],
  'mon-b': [{ atMs: at(12, 40), measuredDb: 94, previousFullScaleDb: 120, fullScaleDb: 120 }],
};

/** Heartbeats: [time, synced, config version reported (null: not reported)]. */
export const HEARTBEATS: Readonly<Record<GoldenDevice, readonly (readonly [number, boolean, number | null])[]>> = {
  'mon-a': [[at(13, 0), true, 1], [at(2, 5), true, 2], [at(7, 30), true, 2]],
  'mon-b': [[at(13, 0), true, null], [at(1, 0), false, null], [at(2, 0), true, null]],
};

const baseRules = (impulsiveDb: number): Rule[] =>
  [
    { type: 'noise-act-night', id: 'noise-act-night' },
    { type: 'low-frequency', id: 'bass', lcThresholdDb: 50, deltaDb: 15, windowSeconds: 60 },
    { type: 'impulsive', id: 'impulsive', thresholdDb: impulsiveDb },
    { type: 'background-relative', id: 'over-background', deltaDb: 10, windowSeconds: 300, backgroundWindowSeconds: 1_800 },
  ].map((r) => RuleSchema.parse(r));
export const RULES_V1 = baseRules(65);
export const RULES_V2 = baseRules(60);
export const RULE_CHANGE_MS = at(2, 0);
export const INSTALLED_MS = at(13, 0);

export const EQUIPMENT = {
  monitorModel: 'Earshot Pi 4', monitorSerial: 'ES-0012', micMake: 'TDK', micModel: 'ICS-43434', micClass: '1', micToleranceDb: 1,
  calibratorMake: 'Cirrus', calibratorModel: 'CR:515', calibratorSerial: '12345', calibratorClass: '1' as const, calibratorCertificate: 'UKAS-1234', calibratorLabDate: '2026-01-15',
  room: 'Bedroom', heightM: 1.2, partyWallM: 1.5, windows: 'closed' as const,
};

export const DIARY = [
  { startedAt: iso(at(23, 29)), endedAt: iso(at(23, 36)), heard: 'Music and shouting through the wall' },
  { startedAt: iso(at(2, 0)), heard: 'A door slammed upstairs' },
] as const;

/** 1 s level records over [from, to), in batches of 600, each batch stating the calibration in force. */
export function sendLevels(dev: TestDevice, device: GoldenDevice, from: number, to: number): void {
  for (let b = from; b < to; ) {
    const fs = fullScaleAt(device, b);
    const records = [];
    let t = b;
    for (; t < to && records.length < 600 && fullScaleAt(device, t) === fs; t += 1000) {
      const { LAeq, LAFmax } = levelAt(device, t);
      records.push({ t: iso(t), d: 1, LAeq, LCeq: LAeq + 8, LZeq: LAeq + 10, LAFmax, LAFmin: LAeq - 3, LASmax: LAeq + 3, LCpeak: LAeq + 25 });
    }
    dev.send('levels', { fullScaleDb: fs, records }, t);
    b = t;
  }
}

function heartbeat(dev: TestDevice, device: GoldenDevice, atMs: number, synced: boolean, version: number | null): void {
  dev.send('status', {
    uptimeSeconds: 100, clock: { synced, offsetMs: synced ? 9 : null, source: 'chrony' }, outbox: { depth: 0, bytes: 0, quotaBytes: 1_000_000, compactedRecords: 0 }, disk: null, temperatureC: null,
    mic: { state: 'ok', silentSeconds: 0, clippedSamples: 0 }, fullScaleDb: fullScaleAt(device, atMs), config: { version, lastReceived: null }, capture: { source: 'alsa', restarts: 0, lastError: null },
  }, atMs);
}

export interface GoldenIds {
  readonly a: { readonly noiseAct: string; readonly press: string; readonly imp1: string; readonly imp2: string; readonly gap: string; readonly clip: string };
  readonly b: { readonly overlap: string; readonly bass: string; readonly flagged: string; readonly open: string; readonly clip: string };
}

export async function buildGoldenCase(f: ExportFixture): Promise<GoldenIds> {
  f.clock = T0 - DAY;
  openCase(f.ingest.cases, { ref: REF, category: 'high-risk', officer: 'Jo Smith', address: '14 Elm Court, Flat 3, Leeds LS6 2AB' });
  const devs = { 'mon-a': f.device('mon-a'), 'mon-b': f.device('mon-b') };
  for (const d of DEVICES) {
    // The checks made before installation now; the recalibration at 07:00 in its place in the night.
    for (const c of CALIBRATIONS[d].filter((x) => x.atMs <= INSTALLED_MS)) {
      devs[d].send('event', {
        kind: 'calibration', eventId: `${d}-${c.atMs}-calibration`, at: iso(c.atMs), referenceDb: 94, measuredDb: c.measuredDb, previousFullScaleDb: c.previousFullScaleDb, fullScaleDb: c.fullScaleDb,
        tone: { frequencyHz: 1000, spreadDb: 0.04, seconds: 6, zMinusADb: 0.1 }, calibrator: { make: 'Cirrus', model: 'CR:515', serial: '12345' },
      }, c.atMs);
    }
    startDeployment(f.ingest.cases, { caseRef: REF, deviceId: d, installedAt: iso(INSTALLED_MS), installedBy: 'Sam Patel', ...(d === 'mon-a' ? { equipment: EQUIPMENT } : {}) });
  }
  const v1 = createDeviceConfigs(f.ingest, Settings.parse({ rules: RULES_V1 }));
  const v2 = createDeviceConfigs(f.ingest, Settings.parse({ rules: RULES_V2 }));
  for (const d of DEVICES) v1.next(d, INSTALLED_MS);
  const beat = (d: GoldenDevice, upTo: number): void => {
    for (const [t, synced, v] of HEARTBEATS[d]) if (t <= upTo && t > (sentBeats.get(d) ?? -1)) (heartbeat(devs[d], d, t, synced, v), sentBeats.set(d, t));
  };
  const sentBeats = new Map<GoldenDevice, number>();
  beat('mon-a', at(13, 0));
  beat('mon-b', at(13, 0));

  const a = devs['mon-a'];
  const b = devs['mon-b'];
  // The evening and the first half of the night.
  sendLevels(a, 'mon-a', at(22, 50), at(1, 0));
  sendLevels(b, 'mon-b', at(22, 50), at(1, 0));
  const noiseAct = await a.event({ startMs: at(23, 30), seconds: 120, laeq: 45, threshold: 40, tone: 440, clipSeconds: 120 });
  const press = a.incident(at(23, 31));
  const overlap = await b.event({ startMs: at(23, 31, 10), seconds: 30, laeq: 32, ruleId: 'over-background', ruleType: 'background-relative', threshold: 30, tone: 0, clip: false });
  const bass = await b.event({ startMs: at(23, 33), seconds: 20, laeq: 40, ruleId: 'bass', ruleType: 'low-frequency', threshold: 5, tone: 660, clipSeconds: 30 });
  const imp1 = await a.event({ startMs: at(1, 0), seconds: 2, laeq: 58, ruleId: 'impulsive', ruleType: 'impulsive', threshold: 65, tone: 0, clip: false });
  beat('mon-b', at(1, 0));
  sendLevels(a, 'mon-a', at(1, 0), at(3, 10));
  sendLevels(b, 'mon-b', at(1, 0), at(7, 0));
  const flagged = await b.event({ startMs: at(1, 30), seconds: 60, laeq: 44, ruleId: 'over-background', ruleType: 'background-relative', threshold: 38, tone: 0, clip: false });
  // The rules change at 02:00; mon-a reports running version 2 from 02:05.
  for (const d of DEVICES) v2.next(d, RULE_CHANGE_MS);
  beat('mon-b', at(2, 0));
  beat('mon-a', at(2, 5));
  const gap = a.gap({ fromMs: at(3, 10), toMs: at(3, 30) });
  const imp2 = await a.event({ startMs: at(4, 0), seconds: 2, laeq: 52, ruleId: 'impulsive', ruleType: 'impulsive', threshold: 60, tone: 0, clip: false });
  const open = b.started({ startMs: at(6, 50), level: 50, threshold: 38 });
  // The recalibration at 07:00: its record, then levels stating the new calibration.
  const re = CALIBRATIONS['mon-a'][1]!;
  a.send('event', {
    kind: 'calibration', eventId: `mon-a-${re.atMs}-calibration`, at: iso(re.atMs), referenceDb: 94, measuredDb: re.measuredDb, previousFullScaleDb: re.previousFullScaleDb, fullScaleDb: re.fullScaleDb,
    tone: { frequencyHz: 1000, spreadDb: 0.04, seconds: 6, zMinusADb: 0.1 }, calibrator: { make: 'Cirrus', model: 'CR:515', serial: '12345' },
  }, re.atMs);
  sendLevels(a, 'mon-a', at(3, 30), at(8, 0));
  beat('mon-a', at(7, 30));
  for (const e of DIARY) addDiaryEntry(f.ingest.cases, REF, e);
  f.clock = T0 + 3 * DAY;
  return {
    a: { noiseAct: noiseAct.eventId, press, imp1: imp1.eventId, imp2: imp2.eventId, gap, clip: noiseAct.clipId },
    b: { overlap: overlap.eventId, bass: bass.eventId, flagged: flagged.eventId, open, clip: bass.clipId },
  };
}
