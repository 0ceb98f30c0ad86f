/**
 * Deployments: a device at a case's address from install to removal. A device
 * is never in two deployments at once. The calibration at each end is the
 * monitor's own signed calibrator check (monitor-calibrations.ts, issue 10);
 * what the installer typed is kept only as the installer's note. The
 * deployment (with its equipment record) and each note are evidence leaves
 * (DESIGN §5).
 */
import { EarshotError } from '@earshot/shared';
import type { Database } from 'better-sqlite3';
import { readNow, writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, append, get, run } from '../storage/record/steps.ts';
import { requireNotClosed, requireCaseStep } from './case-row.ts';
import { checkDemonstration } from './demonstration.ts';
import { type AudioMode, CalibrationInput, EndDeploymentInput, type EquipmentInput, StartDeploymentInput } from './deployment-input.ts';
import type { CasesContext } from './evidence-port.ts';
import { type DeploymentCalibration, deploymentCalibration, monitorCalibrationsSteps } from './monitor-calibrations.ts';
import { parseInput } from './validate.ts';
import type { z } from 'zod';

type Phase = 'install' | 'removal';

export interface CalibrationCheck {
  readonly phase: Phase;
  readonly checkedAt: string;
  readonly calibratorDb: number;
  readonly readingDb: number;
  /** reading − calibrator level. */
  readonly deviationDb: number;
  readonly fullScaleDb: number;
  readonly leafIndex: number;
}

export interface Deployment {
  readonly id: number;
  readonly caseRef: string;
  readonly deviceId: string;
  readonly installedAt: string;
  readonly installedBy: string;
  readonly removedAt: string | null;
  readonly removedBy: string | null;
  readonly audioMode: AudioMode;
  /** The installer's typed notes of the checks (never the figure the bundle states). */
  readonly install: CalibrationCheck | null;
  readonly removal: CalibrationCheck | null;
  /** The monitor's own calibration records for this deployment. */
  readonly calibration: DeploymentCalibration;
  /** Calibration drift over the deployment from the monitor's records (dB); null without both checks. */
  readonly driftDb: number | null;
  readonly equipment: EquipmentInput | null;
}

interface EquipmentRow {
  monitor_model: string | null;
  monitor_serial: string | null;
  mic_make: string | null;
  mic_model: string | null;
  mic_class: string | null;
  mic_tolerance_db: number | null;
  calibrator_make: string | null;
  calibrator_model: string | null;
  calibrator_serial: string | null;
  calibrator_class: 'LS' | '1' | '2' | null;
  calibrator_certificate: string | null;
  calibrator_lab_date: string | null;
  room: string | null;
  height_m: number | null;
  party_wall_m: number | null;
  windows: 'open' | 'closed' | 'varied' | null;
  position_note: string | null;
}

/** Equipment fields and their columns, in one list so reading and writing cannot disagree. */
const EQUIPMENT_COLUMNS = [
  ['monitorModel', 'monitor_model'], ['monitorSerial', 'monitor_serial'], ['micMake', 'mic_make'], ['micModel', 'mic_model'],
  ['micClass', 'mic_class'], ['micToleranceDb', 'mic_tolerance_db'], ['calibratorMake', 'calibrator_make'], ['calibratorModel', 'calibrator_model'],
  ['calibratorSerial', 'calibrator_serial'], ['calibratorClass', 'calibrator_class'], ['calibratorCertificate', 'calibrator_certificate'],
  ['calibratorLabDate', 'calibrator_lab_date'], ['room', 'room'], ['heightM', 'height_m'], ['partyWallM', 'party_wall_m'], ['windows', 'windows'],
  ['positionNote', 'position_note'],
] as const satisfies readonly (readonly [keyof EquipmentInput, keyof EquipmentRow])[];

function toEquipment(r: EquipmentRow | undefined): EquipmentInput | null {
  if (r === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const [k, col] of EQUIPMENT_COLUMNS) if (r[col] !== null) out[k] = r[col];
  return out as EquipmentInput;
}

const INSERT_EQUIPMENT = `INSERT INTO deployment_equipment (deployment_id, ${EQUIPMENT_COLUMNS.map(([, c]) => c).join(', ')})
  VALUES (?, ${EQUIPMENT_COLUMNS.map(() => '?').join(', ')})`;

function* saveEquipment(deploymentId: number, e: EquipmentInput): Steps<void> {
  yield* run(INSERT_EQUIPMENT, deploymentId, ...EQUIPMENT_COLUMNS.map(([k]) => e[k] ?? null));
}

interface DeploymentRow {
  id: number;
  case_ref: string;
  device_id: string;
  installed_ms: number;
  installed_by: string;
  removed_ms: number | null;
  removed_by: string | null;
  audio_mode: AudioMode;
}

interface CheckRow {
  phase: Phase;
  checked_ms: number;
  calibrator_db: number;
  reading_db: number;
  full_scale_db: number;
  leaf_index: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const round2 = (x: number): number => Math.round(x * 100) / 100;

function toCheck(r: CheckRow | undefined): CalibrationCheck | null {
  if (r === undefined) return null;
  return {
    phase: r.phase,
    checkedAt: iso(r.checked_ms),
    calibratorDb: r.calibrator_db,
    readingDb: r.reading_db,
    deviationDb: round2(r.reading_db - r.calibrator_db),
    fullScaleDb: r.full_scale_db,
    leafIndex: r.leaf_index,
  };
}

function* toDeployment(row: DeploymentRow): Steps<Deployment> {
  const checks = yield* all<CheckRow>('SELECT * FROM calibration_checks WHERE deployment_id = ?', row.id);
  const install = toCheck(checks.find((c) => c.phase === 'install'));
  const removal = toCheck(checks.find((c) => c.phase === 'removal'));
  const calibration = deploymentCalibration(yield* monitorCalibrationsSteps(row.device_id), row.installed_ms, row.removed_ms);
  const equipment = toEquipment(yield* get<EquipmentRow>('SELECT * FROM deployment_equipment WHERE deployment_id = ?', row.id));
  return {
    id: row.id,
    caseRef: row.case_ref,
    deviceId: row.device_id,
    installedAt: iso(row.installed_ms),
    installedBy: row.installed_by,
    removedAt: row.removed_ms === null ? null : iso(row.removed_ms),
    removedBy: row.removed_by,
    audioMode: row.audio_mode,
    install,
    removal,
    calibration,
    driftDb: calibration.driftDb,
    equipment,
  };
}

function* requireDeployment(id: number): Steps<DeploymentRow> {
  const row = yield* get<DeploymentRow>('SELECT * FROM deployments WHERE id = ?', id);
  if (row === undefined) throw new EarshotError('EARSHOT_E_DEPLOYMENT_NOT_FOUND', String(id));
  return row;
}

function* recordCheck(d: DeploymentRow, phase: Phase, atMs: number, c: z.output<typeof CalibrationInput> | undefined): Steps<void> {
  if (c === undefined) return;
  const data = {
    note: "installer's note (the calibration in force is the monitor's own record)",
    deploymentId: d.id,
    deviceId: d.device_id,
    phase,
    checkedAt: iso(atMs),
    calibratorDb: c.calibratorDb,
    readingDb: c.readingDb,
    fullScaleDb: c.fullScaleDb,
  };
  const { leafIndex } = yield* append({ kind: 'calibration', caseRef: d.case_ref, data });
  yield* run(
    'INSERT INTO calibration_checks (deployment_id, phase, checked_ms, calibrator_db, reading_db, full_scale_db, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?)',
    d.id, phase, atMs, c.calibratorDb, c.readingDb, c.fullScaleDb, leafIndex,
  );
}

export function* startDeploymentSteps(input: StartDeploymentInput, nowMs: number): Steps<Deployment> {
  const d = parseInput(StartDeploymentInput, input, 'EARSHOT_E_DEPLOYMENT_INVALID');
  const installedMs = d.installedAt === undefined ? nowMs : Date.parse(d.installedAt);
  requireNotClosed(yield* requireCaseStep(d.caseRef), 'deploy a device');
  // A new deployment is open-ended, so it overlaps any deployment of the device
  // that is still open or ends after it starts.
  const clash = yield* get<{ id: number; case_ref: string }>(
    'SELECT id, case_ref FROM deployments WHERE device_id = ? AND (removed_ms IS NULL OR removed_ms > ?) LIMIT 1', d.deviceId, installedMs,
  );
  if (clash !== undefined) throw new EarshotError('EARSHOT_E_DEPLOYMENT_OVERLAP', `${d.deviceId} is in deployment ${clash.id} (${clash.case_ref})`);
  yield* checkDemonstration(d.deviceId, d.caseRef, d.demonstration === true);
  // The row first (install_leaf set just below), so the leaf can name the deployment id.
  const { id } = (yield* get<{ id: number }>(
    'INSERT INTO deployments (case_ref, device_id, installed_ms, installed_by, audio_mode, install_leaf) VALUES (?, ?, ?, ?, ?, -1) RETURNING id',
    d.caseRef, d.deviceId, installedMs, d.installedBy, d.audioMode,
  ))!;
  const data = {
    action: 'installed', deploymentId: id, deviceId: d.deviceId, installedAt: iso(installedMs), installedBy: d.installedBy, audioMode: d.audioMode,
    ...(d.equipment === undefined ? {} : { equipment: d.equipment }),
    // Inside the leaf, so every bundle of the case carries the mark in a proved leaf (cases/demonstration.ts).
    ...(d.demonstration === true ? { demonstration: true } : {}),
  };
  const { leafIndex } = yield* append({ kind: 'deployment', caseRef: d.caseRef, data });
  yield* run('UPDATE deployments SET install_leaf = ? WHERE id = ?', leafIndex, id);
  if (d.equipment !== undefined) yield* saveEquipment(id, d.equipment);
  const row = yield* requireDeployment(id);
  yield* recordCheck(row, 'install', installedMs, d.calibration);
  return yield* toDeployment(row);
}

export function* endDeploymentSteps(input: EndDeploymentInput, nowMs: number): Steps<Deployment> {
  const e = parseInput(EndDeploymentInput, input, 'EARSHOT_E_DEPLOYMENT_INVALID');
  const removedMs = e.removedAt === undefined ? nowMs : Date.parse(e.removedAt);
  const row = yield* requireDeployment(e.deploymentId);
  if (row.removed_ms !== null) throw new EarshotError('EARSHOT_E_DEPLOYMENT_INVALID', `deployment ${row.id} already ended at ${iso(row.removed_ms)}`);
  if (removedMs <= row.installed_ms) throw new EarshotError('EARSHOT_E_DEPLOYMENT_INVALID', `removal ${iso(removedMs)} is not after installation ${iso(row.installed_ms)}`);
  const data = { action: 'removed', deploymentId: row.id, deviceId: row.device_id, removedAt: iso(removedMs), removedBy: e.removedBy };
  const { leafIndex } = yield* append({ kind: 'deployment', caseRef: row.case_ref, data });
  yield* run('UPDATE deployments SET removed_ms = ?, removed_by = ?, removal_leaf = ? WHERE id = ?', removedMs, e.removedBy, leafIndex, row.id);
  yield* recordCheck(row, 'removal', removedMs, e.calibration);
  return yield* toDeployment(yield* requireDeployment(row.id));
}

/** One deployment; EARSHOT_E_DEPLOYMENT_NOT_FOUND when there is none. */
export function* deploymentSteps(id: number): Steps<Deployment> {
  return yield* toDeployment(yield* requireDeployment(id));
}

export function* listDeploymentsSteps(filter: { readonly caseRef?: string; readonly deviceId?: string } = {}): Steps<Deployment[]> {
  const caseRef = filter.caseRef ?? null;
  const deviceId = filter.deviceId ?? null;
  const rows = yield* all<DeploymentRow>(
    `SELECT * FROM deployments WHERE (CAST(? AS TEXT) IS NULL OR case_ref = ?) AND (CAST(? AS TEXT) IS NULL OR device_id = ?)
     ORDER BY installed_ms, id`,
    caseRef, caseRef, deviceId, deviceId,
  );
  const out: Deployment[] = [];
  for (const r of rows) out.push(yield* toDeployment(r));
  return out;
}

// The same operations on the embedded store, at once.

export function startDeployment(ctx: CasesContext, input: StartDeploymentInput): Deployment {
  return writeNow(ctx, startDeploymentSteps(input, ctx.now()));
}

export function endDeployment(ctx: CasesContext, input: EndDeploymentInput): Deployment {
  return writeNow(ctx, endDeploymentSteps(input, ctx.now()));
}

export function listDeployments(db: Database, filter: { readonly caseRef?: string; readonly deviceId?: string } = {}): Deployment[] {
  return readNow(db, listDeploymentsSteps(filter));
}
