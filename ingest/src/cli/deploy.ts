/**
 * `earshot deploy start --case REF --device ID --installed-by NAME --reading DB --full-scale-db DB [--audio on-event|button-only|off] [--at ISO]`
 * `earshot deploy end --deployment N --removed-by NAME --reading DB --full-scale-db DB [--at ISO]`
 * `earshot deploy list [--case REF] [--device ID] [--json]`
 *
 * `--reading` is what the monitor read of the 94.0 dB calibrator at the time
 * (`earshot-device calibrate` prints it); its config reaches the device through
 * the running service within seconds.
 */
import { parseCommand } from '@earshot/shared';
import { z } from 'zod';
import { endDeployment, listDeployments, startDeployment } from '../cases/index.ts';
import { type Command, DATA_DIR_OPTION, table, withIngest } from './context.ts';

const DataDir = { 'data-dir': z.string().optional() };
const Check = { reading: z.coerce.number(), 'full-scale-db': z.coerce.number(), 'calibrator-db': z.coerce.number().optional() };
const CHECK_OPTIONS = { reading: { type: 'string' }, 'full-scale-db': { type: 'string' }, 'calibrator-db': { type: 'string' }, at: { type: 'string' } } as const;

function calibration(a: { reading: number; 'full-scale-db': number; 'calibrator-db'?: number | undefined }): { readingDb: number; fullScaleDb: number; calibratorDb?: number } {
  return { readingDb: a.reading, fullScaleDb: a['full-scale-db'], ...(a['calibrator-db'] === undefined ? {} : { calibratorDb: a['calibrator-db'] }) };
}

const start: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, ...CHECK_OPTIONS, case: { type: 'string' }, device: { type: 'string' }, 'installed-by': { type: 'string' }, audio: { type: 'string' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, ...Check, case: z.string(), device: z.string(), 'installed-by': z.string(),
    audio: z.enum(['off', 'button-only', 'on-event']).default('on-event'), at: z.string().optional(),
  }));
  return withIngest(a['data-dir'], (ingest) => {
    const d = startDeployment(ingest.cases, {
      caseRef: a.case, deviceId: a.device, installedBy: a['installed-by'], audioMode: a.audio, calibration: calibration(a), ...(a.at === undefined ? {} : { installedAt: a.at }),
    });
    io.out(`Deployment ${d.id}: ${d.deviceId} at case ${d.caseRef} from ${d.installedAt}, audio ${d.audioMode}.`);
    return 0;
  });
};

const end: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, ...CHECK_OPTIONS, deployment: { type: 'string' }, 'removed-by': { type: 'string' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, ...Check, deployment: z.coerce.number().int().positive(), 'removed-by': z.string(), at: z.string().optional(),
  }));
  return withIngest(a['data-dir'], (ingest) => {
    const d = endDeployment(ingest.cases, { deploymentId: a.deployment, removedBy: a['removed-by'], calibration: calibration(a), ...(a.at === undefined ? {} : { removedAt: a.at }) });
    io.out(`Deployment ${d.id} ended ${d.removedAt}; calibration drift ${d.driftDb === null ? 'unknown' : `${d.driftDb >= 0 ? '+' : ''}${d.driftDb.toFixed(2)} dB`}.`);
    return 0;
  });
};

const list: Command = (args, io) => {
  const a = parseCommand(args, { ...DATA_DIR_OPTION, case: { type: 'string' }, device: { type: 'string' }, json: { type: 'boolean' } }, z.object({
    positionals: z.array(z.string()).max(0), ...DataDir, case: z.string().optional(), device: z.string().optional(), json: z.boolean().default(false),
  }));
  return withIngest(a['data-dir'], (ingest) => {
    const ds = listDeployments(ingest.db, { ...(a.case === undefined ? {} : { caseRef: a.case }), ...(a.device === undefined ? {} : { deviceId: a.device }) });
    if (a.json) io.out(JSON.stringify(ds));
    else table(io, ds.map((d) => ({ id: d.id, case: d.caseRef, device: d.deviceId, installed: d.installedAt, removed: d.removedAt, audio: d.audioMode, drift: d.driftDb })), ['id', 'case', 'device', 'installed', 'removed', 'audio', 'drift'], 'No deployments.');
    return 0;
  });
};

export const deployCommands: Record<string, Command> = { start, end, list };
