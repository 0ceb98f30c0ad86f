// A stand-in for the libgpiod v2 tools `gpiomon` and `gpioset` (named by the
// link it is run through), speaking their command line, banner, output format
// and error messages, on a simulated GPIO chip served by the test over the Unix
// socket in $GPIO_SIM_SOCKET (sim-chip.ts). Only the hardware is simulated.
import { connect } from 'node:net';

// Run as `node fake-gpiod-tool.mjs <gpiomon|gpioset> ARGS…` by the wrapper sim-chip.ts puts on PATH.
const prog = process.argv[2];
const args = process.argv.slice(3);
const die = (msg) => {
  process.stderr.write(`${prog}: ${msg}\n`);
  process.exit(1);
};

const known = prog === 'gpiomon'
  ? { '--banner': false, '--bias': true, '--edges': true, '--consumer': true, '--format': true, '--chip': true }
  : { '--banner': false, '--consumer': true, '--toggle': true, '--chip': true, '--bias': true };
const opts = {};
const positional = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (!a.startsWith('--')) {
    positional.push(a);
    continue;
  }
  const [name, inline] = a.split(/=(.*)/s);
  if (!(name in known)) {
    process.stderr.write(`${prog}: unrecognized option '${name}'\n`);
    die(`try ${prog} --help`);
  }
  opts[name] = known[name] ? (inline ?? args[++i]) : true;
}
if (positional.length !== 1) die('at least one GPIO line must be specified');

let line = positional[0];
let value = null;
if (prog === 'gpioset') {
  const eq = line.indexOf('=');
  if (eq < 0) die(`invalid line value: '${line}'`);
  value = Number(line.slice(eq + 1));
  line = line.slice(0, eq);
}
const toggleMs = opts['--toggle'] === undefined ? 0 : Number(String(opts['--toggle']).replace(/ms$/, ''));

const sock = connect(process.env.GPIO_SIM_SOCKET);
let buf = '';
const send = (m) => sock.write(`${JSON.stringify(m)}\n`);
sock.on('connect', () => send({
  op: 'request', prog, line, chip: opts['--chip'] ?? null, consumer: opts['--consumer'] ?? prog,
  bias: opts['--bias'] ?? null, edges: opts['--edges'] ?? null, direction: prog === 'gpiomon' ? 'input' : 'output', value,
}));
sock.on('data', (chunk) => {
  buf += chunk;
  let nl;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const m = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    if (m.op === 'refused') {
      process.stderr.write(`${prog}: ${m.message}\n`);
      process.exit(1);
    }
    if (m.op === 'granted') {
      if (opts['--banner']) process.stdout.write(`${prog === 'gpiomon' ? 'Monitoring' : 'Setting'} line '${line}'...\n`);
      if (toggleMs > 0) setInterval(() => send({ op: 'value', value: (value = value ? 0 : 1) }), toggleMs);
      else if (prog === 'gpioset') setInterval(() => {}, 1 << 30);
    }
    if (m.op === 'edge') {
      const fmt = opts['--format'];
      const ts = (m.ns / 1e9).toFixed(9);
      process.stdout.write(fmt === undefined
        ? `${ts}\t${m.type === 1 ? 'rising' : 'falling'}\t"${line}"\n`
        : `${String(fmt).replace('%e', String(m.type)).replace('%S', ts).replace('%o', String(m.offset)).replace('%E', m.type === 1 ? 'rising' : 'falling')}\n`);
    }
  }
});
sock.on('close', () => process.exit(1));
sock.on('error', (e) => die(`unable to open chip '/dev/gpiochip0': ${e.message}`));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
