/**
 * What a monitor measured with (issue 10): the fullScaleDb (DESIGN §2) over each
 * part of a deployment span, from the fullScaleDb its level batches state (the
 * level rows keep it) and, where no levels came, its heartbeats; and, in plain
 * English, every change or mismatch during the deployment — a recalibration
 * mid-deployment, a change with no calibration record behind it, or levels or
 * heartbeats stating another calibration than the record in force.
 *
 * The level records are walked in time order from the span's level blocks
 * (store/level-blocks/read-blocks.ts, which hold each record's fullScaleDb): a
 * run lasts until a record states a value SAME_DB or more from the run's first.
 * A sealed hour whose records all state one value is taken from its block's
 * summary (first record, end of the last, the value) without reading the block.
 */
import type { MonitorCalibration } from '../cases/monitor-calibrations.ts';
import type { Db } from '../db/open.ts';
import type { FullScalePeriod } from '../bundle/model.ts';
import { D, FULL_SCALE, HOUR_MS, PATCH_CODE, type BlockReader, createBlockReader } from '../store/level-blocks/index.ts';
import type { DeploymentSpan } from './spans.ts';

/** Levels state fullScaleDb to 0.01 dB (round2): closer than this is the same calibration. */
const SAME_DB = 0.006;

const iso = (ms: number): string => new Date(ms).toISOString();
const same = (a: number, b: number): boolean => Math.abs(a - b) < SAME_DB;

export interface FullScaleReport {
  readonly periods: FullScalePeriod[];
  readonly flags: string[];
}

export function createFullScaleReader(db: Db, blocks: BlockReader = createBlockReader(db)): (span: DeploymentSpan, records: readonly MonitorCalibration[], when: (isoTime: string) => string) => FullScaleReport {
  const statuses = db.prepare<[string, number, number], { t: number; fs: number | null }>(
    "SELECT sent_at AS t, json_extract(body, '$.fullScaleDb') AS fs FROM status WHERE device = ? AND sent_at >= ? AND sent_at < ? ORDER BY sent_at, seq",
  );
  return (span, records, when) => {
    const periods: FullScalePeriod[] = [];
    const flags: string[] = [];
    // Levels: runs of one fullScaleDb, each from its first record to the next run's first (the last to the end of its last record).
    let runT = Number.NaN;
    let runFs = Number.NaN;
    let lastEnd = Number.NaN;
    const start = (t: number, v: number): void => {
      if (runT !== runT) {
        runT = t;
        runFs = v;
      } else if (Math.abs(v - runFs) >= SAME_DB) {
        periods.push({ from: iso(runT), to: iso(Math.max(t, runT)), fullScaleDb: runFs, source: 'levels' });
        runT = t;
        runFs = v;
      }
    };
    for (const h of blocks.hours(span.deviceId, span.from, span.to)) {
      // An hour wholly inside the span whose records all state one fullScaleDb: its first record is all that can start a run.
      const s = h.sealed;
      if (s !== null && s.fullScaleDb !== null && h.hourMs >= span.from && h.hourMs + HOUR_MS <= span.to) {
        start(s.firstMs, s.fullScaleDb);
        lastEnd = s.endMs;
        continue;
      }
      const slice = blocks.slice(h, span.from, span.to);
      if (slice === null) continue;
      const { block, first, end } = slice;
      // The column's 0.01 dB codes, without making its values.
      const codes = block.codes[FULL_SCALE]!;
      for (let i = first; i < end; i++) {
        const k = codes[i]!;
        start(block.hourMs + block.offsetMs[i]!, k === PATCH_CODE ? block.valueAt(FULL_SCALE, i) : k / 100);
      }
      // A record's end as SQLite's CAST(d * 1000 AS INTEGER) gives it: truncated to the ms.
      lastEnd = block.hourMs + block.offsetMs[end - 1]! + Math.trunc(block.valueAt(D, end - 1) * 1000);
    }
    if (runT === runT) periods.push({ from: iso(runT), to: iso(Math.max(Math.min(span.to, lastEnd), runT)), fullScaleDb: runFs, source: 'levels' });
    // Heartbeats: where no level rows came, what the monitor said it measured with.
    const beats = statuses.all(span.deviceId, span.from, span.to).filter((b): b is { t: number; fs: number } => typeof b.fs === 'number');
    if (periods.length === 0 && beats.length > 0) {
      let start = beats[0]!;
      for (let i = 1; i <= beats.length; i++) {
        const b = beats[i];
        if (b === undefined || !same(b.fs, start.fs)) {
          periods.push({ from: iso(start.t), to: iso(b?.t ?? span.to), fullScaleDb: start.fs, source: 'status' });
          if (b !== undefined) start = b;
        }
      }
    }
    const inForce = (t: number): MonitorCalibration | null => {
      let r: MonitorCalibration | null = null;
      for (const c of records) if (c.atMs <= t) r = c;
      return r;
    };
    const db2 = (x: number): string => x.toFixed(2);
    // Changes between runs, each explained by a calibration record or flagged as unexplained.
    for (let i = 1; i < periods.length; i++) {
      const a = periods[i - 1]!;
      const b = periods[i]!;
      if (same(a.fullScaleDb, b.fullScaleDb)) continue;
      const at = Date.parse(b.from);
      const cause = records.find((c) => c.atMs > Date.parse(a.from) && c.atMs <= at && same(c.fullScaleDb, b.fullScaleDb));
      flags.push(cause === undefined
        ? `The calibration changed from ${db2(a.fullScaleDb)} to ${db2(b.fullScaleDb)} dB at ${when(b.from)} with no calibration record from the monitor to explain it.`
        : `The monitor was recalibrated during the deployment (${when(cause.at)}): from ${db2(a.fullScaleDb)} to ${db2(b.fullScaleDb)} dB from ${when(b.from)}.`);
    }
    // Mismatches with the record in force: levels runs and heartbeats.
    for (const p of periods) {
      const rec = inForce(Date.parse(p.from));
      if (rec !== null && !same(rec.fullScaleDb, p.fullScaleDb)) {
        flags.push(`From ${when(p.from)} the monitor's ${p.source === 'levels' ? 'levels state' : 'heartbeats state'} a calibration of ${db2(p.fullScaleDb)} dB, but its calibration record of ${when(rec.at)} set ${db2(rec.fullScaleDb)} dB.`);
      }
    }
    let mismatched = 0;
    let firstBad: { t: number; fs: number; rec: MonitorCalibration } | null = null;
    for (const b of beats) {
      const rec = inForce(b.t);
      if (rec !== null && !same(rec.fullScaleDb, b.fs)) {
        mismatched++;
        firstBad ??= { t: b.t, fs: b.fs, rec };
      }
    }
    if (firstBad !== null && periods.some((p) => p.source === 'levels')) {
      flags.push(`${mismatched} heartbeat${mismatched === 1 ? '' : 's'} from ${when(iso(firstBad.t))} state a calibration of ${db2(firstBad.fs)} dB, not the ${db2(firstBad.rec.fullScaleDb)} dB of the monitor's calibration record in force.`);
    }
    return { periods, flags };
  };
}

