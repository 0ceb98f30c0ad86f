/**
 * The earshot-device command. Each subcommand lives in its own file; this one
 * dispatches and turns every failure into one line with a stable code (DESIGN §1).
 */
import { EarshotError, LineWriter, cliFailure } from '@earshot/shared';
import { ANALYZE_USAGE, analyzeCommand } from './analyze.ts';
import { CALIBRATE_USAGE, calibrateCommand } from './calibrate.ts';
import { PROVISION_USAGE, provisionCommand } from './provision.ts';
import { RUN_USAGE, runCommand } from './run.ts';
import { SELFTEST_USAGE, selftestCommand } from './selftest.ts';

const USAGE = [
  'usage:',
  `  ${ANALYZE_USAGE}`,
  '    per-interval and summary levels of a PCM WAV file, as NDJSON',
  `  ${PROVISION_USAGE}`,
  '    make the device key and config from what `earshot device add` printed',
  `  ${CALIBRATE_USAGE}`,
  '    set the calibration from a 94 dB / 1 kHz calibrator on the microphone',
  `  ${SELFTEST_USAGE}`,
  '    check the key, storage, microphone, clock and the ingest before leaving the monitor',
  `  ${RUN_USAGE}`,
  '    run the monitor: measure, detect, record clips, send everything',
].join('\n');

type Command = (args: readonly string[], out: (line: string) => void, warn: (line: string) => void) => number | Promise<number>;

const commands: Record<string, Command> = {
  analyze: analyzeCommand,
  provision: provisionCommand,
  calibrate: calibrateCommand,
  selftest: selftestCommand,
  run: runCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  const stdout = new LineWriter(process.stdout);
  const warn = (line: string): void => void process.stderr.write(`${line}\n`);
  const [name, ...rest] = argv;
  try {
    if (name === undefined) throw new EarshotError('EARSHOT_E_USAGE', `no command given\n${USAGE}`);
    if (name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const command = commands[name];
    if (command === undefined) throw new EarshotError('EARSHOT_E_USAGE', `unknown command "${name}"\n${USAGE}`);
    const code = await command(rest, (l) => stdout.line(l), warn);
    await stdout.end();
    return code;
  } catch (e) {
    await stdout.end().catch(() => undefined);
    const f = cliFailure('earshot-device', e);
    process.stderr.write(`${f.line}\n`);
    return f.exit;
  }
}
