/**
 * A simulated GPIO chip for the IO boundary: the test process plays the kernel
 * (lines with names, who holds each, the bias asked for, input levels, output
 * values over time) and `gpiomon` / `gpioset` on PATH are stand-ins that speak the
 * libgpiod v2 tools' command line and output (fake-gpiod-tool.mjs), talking to it
 * over a Unix socket. The monitor's code runs unchanged against real child processes.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TOOL = fileURLToPath(new URL('./fake-gpiod-tool.mjs', import.meta.url));

export interface SimLine {
  offset: number;
  name: string;
  consumer: string | null;
  direction: 'input' | 'output' | null;
  bias: string | null;
  /** Button contact closed (to GND with a pull-up, to 3V3 with a pull-down). */
  closed: boolean;
  /** Output values the line has been driven to, with when. */
  values: { atMs: number; value: number }[];
  socket: Socket | null;
}

interface Request {
  op: 'request';
  prog: string;
  line: string;
  chip: string | null;
  consumer: string;
  bias: string | null;
  direction: 'input' | 'output';
  value: number | null;
}

export class SimChip {
  readonly lines: SimLine[];
  readonly env: NodeJS.ProcessEnv;
  /** Every tool run, as its request. */
  readonly requests: Request[] = [];
  private readonly dir: string;
  private readonly server: Server;

  private constructor(readonly chipName: string, names: Record<number, string>, dir: string) {
    this.dir = dir;
    this.lines = Object.entries(names).map(([o, name]) => ({ offset: Number(o), name, consumer: null, direction: null, bias: null, closed: false, values: [], socket: null }));
    const socketPath = join(dir, 'chip.sock');
    this.env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, GPIO_SIM_SOCKET: socketPath };
    this.server = createServer((s) => this.serve(s));
    this.server.listen(socketPath);
  }

  /** A chip named `chipName` whose lines are named as `names` (offset → name), tools on PATH in `env`. */
  static async create(names: Record<number, string>, chipName = 'gpiochip0', tools: readonly string[] = ['gpiomon', 'gpioset']): Promise<SimChip> {
    const dir = mkdtempSync(join(tmpdir(), 'earshot-gpiosim-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    for (const t of tools) {
      const p = join(bin, t);
      writeFileSync(p, `#!/bin/sh\nexec "${process.execPath}" "${TOOL}" ${t} "$@"\n`);
      chmodSync(p, 0o755);
    }
    const chip = new SimChip(chipName, names, dir);
    await new Promise<void>((r) => chip.server.once('listening', () => r()));
    return chip;
  }

  line(name: string): SimLine {
    const l = this.lines.find((x) => x.name === name);
    if (l === undefined) throw new Error(`no simulated line ${name}`);
    return l;
  }

  /** Another program holds the line (as `gpioset` in another shell would). */
  holdElsewhere(name: string, consumer: string): void {
    this.line(name).consumer = consumer;
  }

  /** Closes (true) or opens (false) the button contact on an input line: an edge to whoever watches it. */
  contact(name: string, closed: boolean): void {
    const l = this.line(name);
    const before = this.level(l);
    l.closed = closed;
    const after = this.level(l);
    if (before === after || l.socket === null || l.direction !== 'input') return;
    // GPIOD_EDGE_EVENT_RISING_EDGE = 1, GPIOD_EDGE_EVENT_FALLING_EDGE = 2 (gpiod.h).
    l.socket.write(`${JSON.stringify({ op: 'edge', type: after === 1 ? 1 : 2, offset: l.offset, ns: Number(process.hrtime.bigint()) })}\n`);
  }

  async close(): Promise<void> {
    for (const l of this.lines) l.socket?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Physical level: the bias holds the line unless the contact pulls it the other way. */
  private level(l: SimLine): number {
    if (l.bias === 'pull-up') return l.closed ? 0 : 1;
    if (l.bias === 'pull-down') return l.closed ? 1 : 0;
    return 0;
  }

  private serve(s: Socket): void {
    let buf = '';
    let held: SimLine | null = null;
    s.setEncoding('utf8');
    s.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const m = JSON.parse(buf.slice(0, nl)) as Request | { op: 'value'; value: number };
        buf = buf.slice(nl + 1);
        if (m.op === 'request') held = this.grant(s, m);
        else if (held !== null) held.values.push({ atMs: Date.now(), value: m.value });
      }
    });
    s.on('close', () => {
      if (held === null || held.socket !== s) return;
      // The kernel releases a line when its last file descriptor closes.
      held.socket = null;
      held.consumer = null;
      held.direction = null;
    });
  }

  private grant(s: Socket, r: Request): SimLine | null {
    this.requests.push(r);
    const refuse = (message: string): null => {
      s.write(`${JSON.stringify({ op: 'refused', message })}\n`);
      return null;
    };
    // tools-common.c: a chip by number, name or path.
    if (r.chip !== null && ![this.chipName, this.chipName.replace('gpiochip', ''), `/dev/${this.chipName}`].includes(r.chip)) {
      return refuse(`cannot find GPIO chip character device '${r.chip}'`);
    }
    const l = /^\d+$/.test(r.line) && r.chip !== null ? this.lines.find((x) => x.offset === Number(r.line)) : this.lines.find((x) => x.name === r.line);
    if (l === undefined) return refuse(/^\d+$/.test(r.line) && r.chip !== null ? `offset ${r.line} is out of range on chip '${r.chip}'` : `cannot find line '${r.line}'`);
    if (l.consumer !== null) return refuse(`unable to request lines on chip /dev/${this.chipName}: Device or resource busy`);
    l.consumer = r.consumer;
    l.direction = r.direction;
    l.bias = r.bias ?? l.bias;
    l.socket = s;
    if (r.direction === 'output' && r.value !== null) l.values.push({ atMs: Date.now(), value: r.value });
    s.write(`${JSON.stringify({ op: 'granted' })}\n`);
    return l;
  }
}
