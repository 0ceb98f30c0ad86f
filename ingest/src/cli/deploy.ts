/**
 * `earshot deploy start --case REF --device ID --installed-by NAME [--audio on-event|button-only|off] [--at ISO]
 *    [--monitor-model T] [--monitor-serial T] [--mic-make T] [--mic-model T] [--mic-class T] [--mic-tolerance-db DB]
 *    [--calibrator-make T] [--calibrator-model T] [--calibrator-serial T] [--calibrator-class 1|2|LS]
 *    [--calibrator-certificate T] [--calibrator-lab-date YYYY-MM-DD]
 *    [--room T] [--height-m M] [--party-wall-m M] [--windows open|closed|varied] [--position-note T] [--demonstration]
 *    [--reading DB --full-scale-db DB [--calibrator-db DB]]`
 * `earshot deploy end --deployment N --removed-by NAME [--at ISO] [--reading DB --full-scale-db DB]`
 * `earshot deploy list [--case REF] [--device ID] [--json]`
 *
 * The calibration is the monitor's own: `earshot-device calibrate` makes a
 * signed record that the running monitor sends; the deployment takes the
 * check nearest before installation, and the one at removal. `--reading` and
 * `--full-scale-db`, if given, are kept only as the installer's note. The
 * config reaches the device through the running service within seconds.
 */
import { EarshotError, parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { type Deployment, endDeploymentSteps, listDeploymentsSteps, startDeploymentSteps } from '../cases/deployments.ts';
import type { EquipmentInput } from '../cases/deployment-input.ts';
import { type Command, DATA_DIR_OPTION, table } from './context.ts';
import { withRecordStore } from './with-record-store.ts';
import { deployLinkCommands } from './deploy-link.ts';

const DataDir = { 'data-dir': z.string().optional() };
const Check = { reading: z.coerce.number().optional(), 'full-scale-db': z.coerce.number().optional(), 'calibrator-db': z.coerce.number().optional() };
const CHECK_OPTIONS = { reading: { type: 'string' }, 'full-scale-db': { type: 'string' }, 'calibrator-db': { type: 'string' }, at: { type: 'string' } } as const;

/** Command-line option → equipment field, and whether it is a number. */
const EQUIPMENT_OPTIONS = [
  ['monitor-model', 'monitorModel', false], ['monitor-serial', 'monitorSerial', false], ['mic-make', 'micMake', false], ['mic-model', 'micModel', false],
  ['mic-class', 'micClass', false], ['mic-tolerance-db', 'micToleranceDb', true], ['calibrator-make', 'calibratorMake', false],
  ['calibrator-model', 'calibratorModel', false], ['calibrator-serial', 'calibratorSerial', false], ['calibrator-class', 'calibratorClass', false],
  ['calibrator-certificate', 'calibratorCertificate', false], ['calibrator-lab-date', 'calibratorLabDate', false], ['room', 'room', false],
  ['height-m', 'heightM', true], ['party-wall-m', 'partyWallM', true], ['windows', 'windows', false], ['position-note', 'positionNote', false],
] as const;

const equipmentParse = Object.fromEntries(EQUIPMENT_OPTIONS.map(([o]) => [o, { type: 'string' }])) as Record<(typeof EQUIPMENT_OPTIONS)[number][0], { type: 'string' }>;
const equipmentSchema = Object.fromEntries(
  EQUIPMENT_OPTIONS.map(([o, , numeric]) => [o, numeric ? z.coerce.number({ error: `--${o} takes a number` }).optional() : z.string().optional()]),
) as Record<(typeof EQUIPMENT_OPTIONS)[number][0], z.ZodOptional<z.ZodString> | z.ZodOptional<z.ZodCoercedNumber>>;

function equipment(a: Record<string, unknown>): EquipmentInput | undefined {
  const out: Record<string, unknown> = {};
  for (const [o, k] of EQUIPMENT_OPTIONS) if (a[o] !== undefined) out[k] = a[o];
  return Object.keys(out).length === 0 ? undefined : (out as EquipmentInput);
}

type CheckArgs = { reading?: number | undefined; 'full-scale-db'?: number | undefined; 'calibrator-db'?: number | undefined };

function note(a: CheckArgs): { calibration?: { readingDb: number; fullScaleDb: number; calibratorDb?: number } } {
  if (a.reading === undefined && a['full-scale-db'] === undefined) return {};
  if (a.reading === undefined || a['full-scale-db'] === undefined) throw new EarshotError('EARSHOT_E_USAGE', "--reading and --full-scale-db go together (the installer's note of a check)");
  return { calibration: { readingDb: a.reading, fullScaleDb: a['full-scale-db'], ...(a['calibrator-db'] === undefined ? {} : { calibratorDb: a['calibrator-db'] }) } };
}

const db2 = (x: number): string => x.toFixed(2);

function calibrationLine(d: Deployment): string {
  const c = d.calibration.atInstall;
  if (c === null) return "No calibration record from the monitor before installation: run `earshot-device calibrate` with the monitor's service running.";
  return `Calibration (the monitor's record of ${c.at}): the calibrator read ${db2(c.measuredDb)} dB; fullScaleDb ${db2(c.fullScaleDb)}.`;
}

const start: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, ...CHECK_OPTIONS, ...equipmentParse, case: { type: 'string' }, device: { type: 'string' }, 'installed-by': { type: 'string' }, audio: { type: 'string' }, demonstration: { type: 'boolean' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, ...Check, ...equipmentSchema, case: z.string(), device: z.string(), 'installed-by': z.string(),
    audio: z.enum(['off', 'button-only', 'on-event']).default('on-event'), at: z.string().optional(), demonstration: z.boolean().optional(),
  }));
  const e = equipment(a);
  const n = note(a);
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    const d = await record.write(startDeploymentSteps({
      caseRef: a.case, deviceId: a.device, installedBy: a['installed-by'], audioMode: a.audio, ...n,
      ...(e === undefined ? {} : { equipment: e }), ...(a.at === undefined ? {} : { installedAt: a.at }),
      ...(a.demonstration === true ? { demonstration: true as const } : {}),
    }, record.now()));
    io.out(`Deployment ${d.id}: ${d.deviceId} at case ${d.caseRef} from ${d.installedAt}, audio ${d.audioMode}.`);
    io.out(calibrationLine(d));
    return 0;
  });
};

const end: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, ...CHECK_OPTIONS, deployment: { type: 'string' }, 'removed-by': { type: 'string' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, ...Check, deployment: z.coerce.number().int().positive(), 'removed-by': z.string(), at: z.string().optional(),
  }));
  const n = note(a);
  return withRecordStore(a['data-dir'], 'write', async (record) => {
    const d = await record.write(endDeploymentSteps({ deploymentId: a.deployment, removedBy: a['removed-by'], ...n, ...(a.at === undefined ? {} : { removedAt: a.at }) }, record.now()));
    const drift = d.driftDb === null
      ? "unknown (needs the monitor's calibration records at installation and removal)"
      : `${d.driftDb >= 0 ? '+' : ''}${d.driftDb.toFixed(2)} dB`;
    io.out(`Deployment ${d.id} ended ${d.removedAt}; calibration drift ${drift}.`);
    return 0;
  });
};

const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, case: { type: 'string' }, device: { type: 'string' }, json: { type: 'boolean' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, case: z.string().optional(), device: z.string().optional(), json: z.boolean().default(false),
  }));
  return withRecordStore(a['data-dir'], 'read', async (record) => {
    const ds = await record.read(listDeploymentsSteps({ ...(a.case === undefined ? {} : { caseRef: a.case }), ...(a.device === undefined ? {} : { deviceId: a.device }) }));
    if (a.json) io.out(JSON.stringify(ds));
    else table(io, ds.map((d) => ({ id: d.id, case: d.caseRef, device: d.deviceId, installed: d.installedAt, removed: d.removedAt, audio: d.audioMode, drift: d.driftDb })), ['id', 'case', 'device', 'installed', 'removed', 'audio', 'drift'], 'No deployments.');
    return 0;
  });
};

export const deployCommands: Record<string, Command> = { start, end, list, ...deployLinkCommands };
