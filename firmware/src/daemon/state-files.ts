/**
 * Small JSON state the monitor keeps across reboots in its state folder: the
 * calibration (and its history, for drift), the calibration records not yet
 * sent (one file each in calibration-unsent/, so the calibrate command and the
 * running daemon never rewrite one another's file) and the last accepted
 * remote config.
 * Written atomically (temp file, fsync, rename, fsync of the folder), so a power
 * cut leaves either the old file or the new one, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CalibrationRecord, type RemoteConfig, parseRemoteConfig } from '@earshot/shared';
import { z } from 'zod';

export const CALIBRATION_FILE = 'calibration.json';
export const REMOTE_CONFIG_FILE = 'remote-config.json';
/** Signed-record bodies of calibrations the daemon has not yet journaled, `<eventId>.json`. */
export const CALIBRATION_UNSENT_DIR = 'calibration-unsent';

export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export const CalibrationEntry = z.object({
  at: z.string(),
  referenceDb: z.number(),
  measuredDb: z.number(),
  previousFullScaleDb: z.number(),
  fullScaleDb: z.number(),
  frequencyHz: z.number(),
  /** The record's event id (absent in histories written before records were sent). */
  eventId: z.string().optional(),
});
export type CalibrationEntry = z.infer<typeof CalibrationEntry>;
const CalibrationFile = z.object({ fullScaleDb: z.number().min(0).max(250), history: z.array(CalibrationEntry) });
export type CalibrationState = z.infer<typeof CalibrationFile>;

/** The calibration in force, or null when the device was never calibrated (the config's fullScaleDb applies). */
export function readCalibration(stateDir: string): CalibrationState | null {
  const parsed = CalibrationFile.safeParse(readJson(join(stateDir, CALIBRATION_FILE)));
  return parsed.success ? parsed.data : null;
}

/** Appends a calibration to the history and makes it the one in force; returns the drift from the last one. */
export function recordCalibration(stateDir: string, entry: CalibrationEntry): { driftDb: number | null; state: CalibrationState } {
  const before = readCalibration(stateDir);
  const last = before?.history.at(-1);
  const state: CalibrationState = { fullScaleDb: entry.fullScaleDb, history: [...(before?.history ?? []), entry] };
  writeFileAtomic(join(stateDir, CALIBRATION_FILE), `${JSON.stringify(state, null, 1)}\n`);
  return { driftDb: last === undefined ? null : entry.fullScaleDb - last.fullScaleDb, state };
}

/** Keeps a calibration record for the daemon to sign and send (calibration-sync.ts); durable before it returns. */
export function queueCalibrationRecord(stateDir: string, record: CalibrationRecord): void {
  const dir = join(stateDir, CALIBRATION_UNSENT_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileAtomic(join(dir, `${record.eventId}.json`), `${JSON.stringify(record)}\n`);
}

/** The calibration records not yet journaled, oldest first; a file that does not parse is skipped (and kept). */
export function unsentCalibrationRecords(stateDir: string): CalibrationRecord[] {
  let names: string[];
  try {
    names = readdirSync(join(stateDir, CALIBRATION_UNSENT_DIR)).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const out: CalibrationRecord[] = [];
  for (const n of names) {
    const r = CalibrationRecord.safeParse(readJson(join(stateDir, CALIBRATION_UNSENT_DIR, n)));
    if (r.success) out.push(r.data);
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Once the outbox holds a record, its file goes. */
export function removeCalibrationRecord(stateDir: string, eventId: string): void {
  rmSync(join(stateDir, CALIBRATION_UNSENT_DIR, `${eventId}.json`), { force: true });
}

export function readRemoteConfig(stateDir: string): RemoteConfig | null {
  const raw = readJson(join(stateDir, REMOTE_CONFIG_FILE));
  if (raw === undefined) return null;
  const r = parseRemoteConfig(raw);
  return r.ok ? r.config : null;
}

export function writeRemoteConfig(stateDir: string, config: RemoteConfig): void {
  writeFileAtomic(join(stateDir, REMOTE_CONFIG_FILE), `${JSON.stringify(config)}\n`);
}
