/**
 * The earshot-device command. Each subcommand lives in its own file; this one
 * dispatches and turns every failure into one line with a stable code (DESIGN §1).
 */
import { EarshotError, LineWriter, cliFailure } from '@earshot/shared';
import { ANALYZE_USAGE, CALIBRATE_USAGE, PROVISION_USAGE, RUN_USAGE, SELFTEST_USAGE } from './usage.ts';

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

// Each subcommand's module (and what it needs: mqtt, pino, the capture sources, …) is loaded only when it runs,
// so `--help` starts at once and `analyze` loads the engine alone.
const commands: Record<string, () => Promise<Command>> = {
  analyze: async () => (await import('./analyze.ts')).analyzeCommand,
  provision: async () => (await import('./provision.ts')).provisionCommand,
  calibrate: async () => (await import('./calibrate.ts')).calibrateCommand,
  selftest: async () => (await import('./selftest.ts')).selftestCommand,
  run: async () => (await import('./run.ts')).runCommand,
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
    const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (load === undefined) throw new EarshotError('EARSHOT_E_USAGE', `unknown command "${name}"\n${USAGE}`);
    const command = await load();
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
