/**
 * `earshot-device run --config FILE`: the monitor daemon (daemon/daemon.ts).
 * Logs JSON lines to standard output (pino; EARSHOT_LOG_LEVEL, default info);
 * SIGINT / SIGTERM stop it cleanly, ending open events and flushing levels.
 */
import { type ProcessLock, parseCommand } from '@earshot/shared';
import { pino } from 'pino';
import { z } from 'zod';
import { loadDeviceConfig } from '../daemon/config.ts';
import { Daemon } from '../daemon/daemon.ts';
import { lockStateFolder } from '../daemon/state-lock.ts';
import { RUN_USAGE } from './usage.ts';

export async function runCommand(args: readonly string[]): Promise<number> {
  const a = parseCommand(args, { config: { type: 'string' } }, z.object({ positionals: z.array(z.string()).max(0), config: z.string().min(1, `--config FILE is required: ${RUN_USAGE}`) }));
  const logger = pino({ level: process.env['EARSHOT_LOG_LEVEL'] ?? 'info', base: { service: 'earshot-device' } });
  const log = {
    info: (msg: string, fields: Record<string, unknown> = {}) => logger.info(fields, msg),
    warn: (msg: string, fields: Record<string, unknown> = {}) => logger.warn(fields, msg),
  };
  // Listen before starting: a SIGTERM while the daemon starts (systemd stopping it early) still stops it cleanly.
  // The handlers stay until the stop is done: a second signal (Ctrl-C in a terminal reaches every process
  // in the group, then a supervisor sends SIGTERM) must not cut the shutdown short.
  let first: ((signal: string) => void) | null = null;
  const signalled = new Promise<string>((resolve) => {
    first = resolve;
  });
  const onSignal = (signal: string): void => {
    if (first === null) {
      log.info('already stopping', { signal });
      return;
    }
    const f = first;
    first = null;
    f(signal);
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const off = (): void => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
  let lock: ProcessLock | undefined;
  let daemon: Daemon;
  try {
    // One monitor per state folder: a second would sign with the same key and seq (daemon/state-lock.ts).
    lock = lockStateFolder(loadDeviceConfig(a.config).stateDir);
    daemon = await Daemon.start({ configFile: a.config, log });
  } catch (e) {
    off();
    lock?.release();
    throw e;
  }
  const signal = await signalled;
  log.info('stopping', { signal });
  try {
    await daemon.stop();
  } finally {
    off();
    lock.release();
  }
  return 0;
}
