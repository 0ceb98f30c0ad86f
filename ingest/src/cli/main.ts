/**
 * The `earshot` command (DESIGN §1): the ingest service and every officer and
 * administrator task. Each group of subcommands lives in its own file; this one
 * dispatches and turns every failure into one line with a stable code.
 */
import { EarshotError, LineWriter, cliFailure } from '@earshot/shared';
import { checkStoreForCommand } from '../storage/command-support.ts';
import type { Command, Io } from './context.ts';

const USAGE = `usage: earshot <command> [options]   (every command takes --data-dir DIR, default $EARSHOT_DATA_DIR or ./data)
  serve [--config FILE] [--mqtt-port N] [--http-port N]     run the ingest service (broker, web view, API)
  device add <id> [--public-key FILE] [--server URL] [--ca-file PEM] [--config FILE] [--json] | list | disable <id> [--config FILE] | enable <id> [--config FILE]
  user add <username> --name NAME --initials JS --role officer|supervisor|admin [--password-stdin] | list
  case open --category high-risk|general --officer USERNAME --address TEXT [--ref REF] [--complainant-name N --complainant-contact C]
  case list [--status S] [--officer NAME] | show REF [--complainant] | categorise REF --category C --reason R --by NAME
  case close REF --reason R --by NAME | reopen REF --reason R --by NAME
  deploy start --case REF --device ID --installed-by NAME [--audio MODE] [--at ISO] [--demonstration]
      [--monitor-model T --monitor-serial T --mic-make T --mic-model T --mic-class T --mic-tolerance-db DB]
      [--calibrator-make T --calibrator-model T --calibrator-serial T --calibrator-class 1|2|LS --calibrator-certificate T --calibrator-lab-date DATE]
      [--room T --height-m M --party-wall-m M --windows open|closed|varied --position-note T]   (the calibration is the monitor's own record)
  deploy end --deployment N --removed-by NAME [--at ISO] | list [--case REF] [--device ID] [--json]
  deploy link --deployment N [--revoke] [--base-url URL] | sheet --deployment N --out FILE.pdf [--contact TEXT] [--allow-local]   (each takes --help)
  diary add --case REF --started TIME [--ended TIME] --heard TEXT [--effect TEXT] | import --case REF FILE.csv | list --case REF
  log verify | head                                         check the evidence log; sign a tree head now
  bundle export <caseRef> [--from ISO] [--to ISO] [--out DIR] [--initials JS] [--include-complainant]
  verify BUNDLE.zip                                         check a court bundle offline (exit 0 all hold, 1 failures)
  store copy --from DATA_DIR --to postgres://USER:PASS@HOST:PORT/DB   move an embedded installation to PostgreSQL, proven
  broker config mosquitto --port N --out DIR [--host ADDR] [--plugin PATH] [--user NAME] [--force]   a mosquitto 2.0 whose accounts Earshot manages
(EARSHOT_STORE_URL=postgres://… selects PostgreSQL as the store; unset, the SQLite file in the data folder)`;

// Each command's module (and what it needs: SQLite, fastify, pdfkit, …) is loaded only when that command runs,
// so `--help` and the light commands start at once.
const groups: Record<string, () => Promise<Record<string, Command>>> = {
  device: async () => (await import('./device.ts')).deviceCommands,
  user: async () => (await import('./user.ts')).userCommands,
  case: async () => (await import('./case.ts')).caseCommands,
  deploy: async () => (await import('./deploy.ts')).deployCommands,
  diary: async () => (await import('./diary.ts')).diaryCommands,
  log: async () => (await import('./log.ts')).logCommands,
  bundle: async () => (await import('./bundle.ts')).bundleCommands,
  store: async () => (await import('./store.ts')).storeCommands,
  broker: async () => (await import('./broker.ts')).brokerCommands,
};
const single: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).serveCommand,
  verify: async () => (await import('./verify.ts')).verifyCommand,
};

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c: string) => (text += c));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

async function find(argv: readonly string[]): Promise<{ command: Command; rest: readonly string[] }> {
  const [name, sub, ...rest] = argv;
  if (name === undefined) throw new EarshotError('EARSHOT_E_USAGE', `no command given\n${USAGE}`);
  const one = Object.hasOwn(single, name) ? single[name] : undefined;
  if (one !== undefined) return { command: await one(), rest: argv.slice(1) };
  const load = Object.hasOwn(groups, name) ? groups[name] : undefined;
  const group = load === undefined ? undefined : await load();
  if (group === undefined) throw new EarshotError('EARSHOT_E_USAGE', `unknown command "${name}"\n${USAGE}`);
  const command = sub === undefined || !Object.hasOwn(group, sub) ? undefined : group[sub];
  if (command === undefined) throw new EarshotError('EARSHOT_E_USAGE', `earshot ${name} takes ${Object.keys(group).join(' | ')}${sub === undefined ? '' : `, not "${sub}"`}`);
  return { command, rest };
}

export async function main(argv: readonly string[]): Promise<number> {
  const stdout = new LineWriter(process.stdout);
  const io: Io = { out: (l) => stdout.line(l), err: (l) => void process.stderr.write(`${l}\n`), stdin: readStdin };
  try {
    if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
      io.out(USAGE);
      await stdout.end();
      return 0;
    }
    const { command, rest } = await find(argv);
    checkStoreForCommand(argv[0]!, argv[1]);
    const code = await command(rest, io);
    await stdout.end();
    return code;
  } catch (e) {
    await stdout.end().catch(() => undefined);
    const f = cliFailure('earshot', e);
    process.stderr.write(`${f.line}\n`);
    return f.exit;
  }
}
