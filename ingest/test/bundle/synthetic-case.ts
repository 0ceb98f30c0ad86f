/**
 * A synthetic case for bundle tests and the export benchmark: a real evidence
 * log (SQLite in a temp folder) holding deployment, event, clip (signed clip
 * manifests) and diary leaves; WAV clips on disk; nightly level series; and a
 * generator of 1 s level records. Deterministic; no vitest import, so the
 * benchmark can use it.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClipManifest, signEnvelope } from '@earshot/shared';
import { encodeWav } from '../../../firmware/src/audio/index.ts';
import { chartTitle } from '../../src/bundle/chart-title.ts';
import type { Db } from '../../src/db/open.ts';
import { EvidenceLog, type EvidenceLeaf, deviceMessageLeaf, serverKeyFromPrivate } from '../../src/evidence/index.ts';
import type { BundleEvent, BundleModel, BundleSource, DiaryEntry, ExhibitClip, LevelRow, LevelSeries, NightSummary } from '../../src/bundle/model.ts';
import { nightsTouching } from '../../src/export/night-hours.ts';

export const CASE_REF = 'ASB-2026-0042';
export const DEVICE = 'mon-0007';
const DAY_MS = 86_400_000;
const NIGHT_START_MS = 18 * 3_600_000;
const NIGHT_MS = 14 * 3_600_000;

export interface SyntheticOptions {
  /** Clips are written here. */
  readonly dir: string;
  /** A database opened with EvidenceLog.migrations. */
  readonly db: Db;
  /** Period start (UTC, midday) and length in days. */
  readonly from?: string;
  readonly days: number;
  readonly events: number;
  readonly clips: number;
  /** Hours of 1 s records from the period start (default: the whole period). */
  readonly levelHours?: number;
  readonly complainant?: boolean;
}

export interface SyntheticCase {
  readonly source: BundleSource;
  readonly log: EvidenceLog;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const r2 = (v: number): number => Math.round(v * 100) / 100;

function quietLaeq(ms: number): number {
  return 31 + 6 * Math.sin(ms / 3_600_000) + 1.5 * Math.sin(ms / 13_000);
}

function eventLaeq(ms: number): number {
  return 58 + 4 * Math.sin(ms / 7_000);
}

/** The synthetic LAeq at an instant: a quiet evening curve, louder in the events. */
function laeqAt(ms: number, events: readonly { s: number; e: number }[]): number {
  return events.some((ev) => ms >= ev.s && ms < ev.e) ? eventLaeq(ms) : quietLaeq(ms);
}

/** 1 s records; `events` sorted and not overlapping, walked with a cursor (a month is 2.6 M rows). */
function* levelRows(from: number, seconds: number, events: readonly { s: number; e: number }[]): Generator<LevelRow> {
  let k = 0;
  for (let i = 0; i < seconds; i++) {
    const t = from + i * 1000;
    while (k < events.length && events[k]!.e <= t) k++;
    const ev = events[k];
    const a = ev !== undefined && t >= ev.s ? eventLaeq(t) : quietLaeq(t);
    yield { t, d: 1, deviceId: DEVICE, LAeq: r2(a), LCeq: r2(a + 7), LZeq: r2(a + 9), LAFmax: r2(a + 6), LAFmin: r2(a - 4), LASmax: r2(a + 3), LCpeak: r2(a + 22) };
  }
}

export function syntheticCase(o: SyntheticOptions): SyntheticCase {
  const from = Date.parse(o.from ?? '2026-03-28T12:00:00.000Z');
  const to = from + o.days * DAY_MS;
  const key = serverKeyFromPrivate(generateKeyPairSync('ed25519').privateKey);
  const deviceKey = generateKeyPairSync('ed25519').privateKey;
  let clock = from;
  const log = new EvidenceLog(o.db, key, { now: () => new Date((clock += 1000)) });
  let seq = 0;
  const append = (leaf: EvidenceLeaf): void => void log.append(leaf);

  append({ v: 1, kind: 'deployment', recordedAt: iso(from), caseRef: CASE_REF, data: { deviceId: DEVICE, installedAt: iso(from), installedBy: 'Sam Patel' } });
  append({ v: 1, kind: 'calibration', recordedAt: iso(from), caseRef: CASE_REF, data: { deviceId: DEVICE, referenceDb: 94, readingDb: 94.02 } });

  // Events: spread over the nights, 23:30 UTC onwards, 1–5 minutes each.
  const perNight = Math.ceil(o.events / o.days);
  const spans: { s: number; e: number }[] = [];
  const events: BundleEvent[] = [];
  for (let i = 0; i < o.events; i++) {
    const night = Math.floor(i / perNight);
    const k = i % perNight;
    const s = from + night * DAY_MS + 11.5 * 3_600_000 + k * Math.floor((6 * 3_600_000) / perNight);
    const e = s + (60 + (i % 5) * 60) * 1000;
    spans.push({ s, e });
    const laeq = r2(58 + (i % 7));
    const permitted = 34;
    events.push({ id: `ev-${String(i + 1).padStart(4, '0')}`, ruleId: 'noise-act', deviceId: DEVICE, start: iso(s), end: iso(e), durationSeconds: (e - s) / 1000, LAeq: laeq, LAFmax: r2(laeq + 9), LAF90: 29.5, permittedDb: permitted, exceedanceDb: r2(laeq - permitted), kind: 'event', state: 'ended', thresholdDb: permitted, overByDb: r2(laeq - permitted), clockFlag: null });
    append(eventLeaf(events[i]!, ++seq, deviceKey));
  }

  const exhibits: ExhibitClip[] = [];
  for (let i = 0; i < Math.min(o.clips, events.length); i++) {
    const ev = events[i]!;
    const samples = new Float64Array(8_000).map((_, n) => 0.3 * Math.sin((2 * Math.PI * 440 * n) / 8_000 + i));
    const wav = encodeWav(samples, { encoding: 'int', bitsPerSample: 16, sampleRate: 8_000 });
    const path = join(o.dir, `clip-${i}.wav`);
    writeFileSync(path, wav);
    const sha256 = createHash('sha256').update(wav).digest('hex');
    const clipId = `clip-${String(i + 1).padStart(4, '0')}`;
    const body: ClipManifest = { clipId, eventId: ev.id, sha256, bytes: wav.length, chunks: 1, chunkBytes: 65_536, sampleRate: 8_000, channels: 1, bitsPerSample: 16, fullScaleDb: 120, startedAt: ev.start, durationSeconds: 1, preTriggerSeconds: 0, postTriggerSeconds: 1 };
    const payload = signEnvelope({ v: 1, device: DEVICE, seq: ++seq, sentAt: ev.end, type: 'clip', body }, deviceKey);
    append(deviceMessageLeaf({ kind: 'clip', caseRef: CASE_REF, deviceId: DEVICE, seq, deviceTime: new Date(ev.end), receivedAt: new Date(ev.end), clockOffsetMs: 12, clockFlag: null, payload, extra: { clipId, sha256 } }));
    exhibits.push({ clipId, deviceId: DEVICE, eventId: ev.id, path, start: ev.start, durationSeconds: 1, sha256 });
  }

  // Diary: one entry beside the first event of each night, and one with nothing measured.
  const diary: DiaryEntry[] = [];
  for (let n = 0; n < o.days && n * perNight < events.length; n++) {
    const ev = spans[n * perNight]!;
    const at = ev.s + 4 * 60_000;
    diary.push({ id: `d-${n + 1}`, at: iso(at), text: `Loud music again, "bass" through the wall, night ${n + 1}; couldn't sleep`, measured: [{ deviceId: DEVICE, window: { from: iso(at - 300_000), to: iso(at + 300_000) }, LAeq: r2(laeqAt(at, spans)), LAFmax: 66.1, LA90: 29.8 }] });
  }
  diary.push({ id: 'd-quiet', at: iso(to - 3 * 3_600_000), text: 'Banging on the stairs', measured: [] });
  for (const d of diary) append({ v: 1, kind: 'diary', recordedAt: d.at, caseRef: CASE_REF, data: { id: d.id, at: d.at, text: d.text } });

  const series: LevelSeries[] = [];
  for (let n = 0; n < o.days; n++) {
    const s = from + n * DAY_MS + NIGHT_START_MS - 12 * 3_600_000; // 18:00 UTC, the period starting at midday
    const t: number[] = [];
    const laeq: (number | null)[] = [];
    const lafmax: (number | null)[] = [];
    for (let m = 0; m < NIGHT_MS / 60_000; m++) {
      const at = s + m * 60_000;
      // A two-hour gap on the first night, as a monitor restart would leave.
      if (n === 0 && m >= 300 && m < 420) continue;
      t.push(at);
      laeq.push(r2(laeqAt(at, spans)));
      lafmax.push(r2(laeqAt(at, spans) + 8));
    }
    series.push({ label: chartTitle(s, s + NIGHT_MS, DEVICE), deviceId: DEVICE, from: iso(s), to: iso(s + NIGHT_MS), t, LAeq: laeq, LAFmax: lafmax });
  }

  const head = log.signTreeHead();
  const leaves = Array.from({ length: head.head.treeSize }, (_, i) => ({ leafIndex: i, leaf: log.leaf(i)!.leaf, auditPath: log.inclusionProof(i, head.head.treeSize) }));
  const levelSeconds = Math.round((o.levelHours ?? o.days * 24) * 3600);

  const model: BundleModel = {
    case: { ref: CASE_REF, category: 'general', address: '14 Elm Court, Flat 3, Leeds LS6 2AB', officer: { name: 'Jo Smith', initials: 'JS' }, complainant: o.complainant === true ? { name: 'A. Resident', contact: '07700 900123' } : null, openedAt: iso(from - 7 * DAY_MS) },
    period: { from: iso(from), to: iso(to) },
    generatedAt: iso(to + 3_600_000),
    deployments: [
      {
        deviceId: DEVICE,
        microphone: 'MEMS (ICS-43434), windshield, wall bracket',
        installedAt: iso(from),
        removedAt: iso(to),
        installedBy: 'Sam Patel',
        removedBy: 'Sam Patel',
        calibration: { atInstall: { at: iso(from), referenceDb: 94, readingDb: 94.02, fullScaleDb: 120.1 }, atRemoval: { at: iso(to), referenceDb: 94, readingDb: 93.91, fullScaleDb: 120.1 }, driftDb: -0.11 },
        clockSync: { status: 'ok', maxOffsetMs: 38, unsyncedSeconds: 0 },
        coverage: { monitoredSeconds: o.days * 86_400 - 7_200, periodSeconds: o.days * 86_400, gaps: [{ from: iso(from + 11 * 3_600_000), to: iso(from + 13 * 3_600_000) }] },
      },
    ],
    rules: [
      { id: 'noise-act', name: 'Noise Act night', description: 'Between 23:00 and 07:00, LAeq over 5 minutes above the permitted level (34 dB, or 10 dB above an underlying level over 24 dB).', thresholdDb: 34 },
      { id: 'loud-peak', name: 'Loud peak', description: 'Any LAFmax above 75 dB at any time of day.', thresholdDb: 75 },
    ],
    thresholds: [],
    events,
    gaps: [],
    series,
    diary,
    // Issue 12: the contact log — first contact two days after opening (general: 5 working days), then weekly.
    contacts: {
      responseDueAt: iso(from - 2 * DAY_MS),
      firstContactAt: iso(from - 5 * DAY_MS),
      responseTarget: 'met',
      entries: [
        { at: iso(from + 2 * 3_600_000), method: 'phone', summary: 'Called the complainant: music most nights after 23:00; agreed to install a monitor.', by: 'Jo Smith', leafIndex: 0 },
        { at: iso(from + DAY_MS + 10 * 3_600_000), method: 'visit', summary: 'Home visit: checked the monitor position in the bedroom.', by: 'Sam Patel', leafIndex: 1 },
      ],
      withheld: false,
    },
    exhibits,
    evidence: { leaves, sth: { bytes: head.bytes, signature: head.signature }, publicKeyPem: key.publicKeyPem },
    levelCount: levelSeconds,
    nights: syntheticNights(from, to, events, diary),
  };
  return { source: { model, levelRows: () => levelRows(from, levelSeconds, spans) }, log };
}

function eventLeaf(e: BundleEvent, seq: number, deviceKey: Parameters<typeof signEnvelope>[1]): EvidenceLeaf {
  const body = { kind: 'ended', eventId: e.id, rule: e.ruleId, startedAt: e.start, endedAt: e.end, LAeq: e.LAeq, LAFmax: e.LAFmax };
  const payload = signEnvelope({ v: 1, device: DEVICE, seq, sentAt: e.end, type: 'event', body }, deviceKey);
  return deviceMessageLeaf({ kind: 'event', caseRef: CASE_REF, deviceId: DEVICE, seq, deviceTime: new Date(e.end), receivedAt: new Date(e.end), clockOffsetMs: 12, clockFlag: null, payload, extra: { eventId: e.id } });
}

/** The nights summary of the synthetic case: counts from its events and diary, levels from its events (the real figures come from export/nights.ts). */
function syntheticNights(from: number, to: number, events: readonly BundleEvent[], diary: readonly DiaryEntry[]): NightSummary[] {
  return nightsTouching(from, to).map((n) => {
    const inNight = (at: string): boolean => Date.parse(at) >= n.start && Date.parse(at) < n.end;
    const evs = events.filter((e) => inNight(e.start));
    const nightSeconds = Math.round((Math.min(n.end, to) - Math.max(n.start, from)) / 1000);
    const worst = evs.length === 0 ? null : Math.max(...evs.map((e) => e.LAeq ?? 0));
    return {
      nightOf: n.nightOf, deviceId: DEVICE, start: iso(n.start), end: iso(n.end), nightSeconds, monitoredSeconds: nightSeconds, coveragePct: 100,
      events: evs.length, eventsByRule: evs.length === 0 ? {} : { 'noise-act': evs.length }, incidents: 0,
      noiseActExceedances: evs.length, periodsAssessed: Math.floor(nightSeconds / 300), worstLAeq: worst, worstOverByDb: worst === null ? null : r2(worst - 34),
      LAFmaxMax: evs.length === 0 ? 43.5 : Math.max(...evs.map((e) => e.LAFmax ?? 0)), eventsLAFmaxOver45: evs.filter((e) => (e.LAFmax ?? 0) > 45).length,
      diaryEntries: diary.filter((d) => inNight(d.at)).length,
      noiseAct: { permittedLevelDb: 34, underlyingLimitDb: 24, excessDb: 10, windowSeconds: 300, underlyingWindowSeconds: 1_800 },
    };
  });
}
