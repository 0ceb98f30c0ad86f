/**
 * One libgpiod v2 tool holding one GPIO line for as long as it runs: `gpiomon`
 * watching the button, `gpioset` driving the LED. The tools hold the line only
 * while their process lives (gpioset --help: "the state of a GPIO line … reverts
 * to default when the last process referencing the file descriptor … exits"), so
 * a held line is a running child. `--banner` makes each tool print one line once
 * the kernel has granted the request, which is how a start is known to have
 * succeeded; an exit before it is a failure, named from the tool's stderr.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EarshotError, type ErrorInfo } from '@earshot/shared';
import { StderrTail } from '../../capture/stderr-tail.ts';
import { type LineRef, classifySpawnFailure, classifyToolFailure } from './gpiod-errors.ts';

/** The banners of gpiomon ("Monitoring line 'X'...") and gpioset ("Setting line 'X'...") in libgpiod 2 (tools/gpiomon.c, gpioset.c print_banner). */
const BANNER = /^(Monitoring|Setting) lines? /;

/** Time for a tool to start and hold its line before it counts as failed (a Pi Zero 2 W starts one in well under 100 ms). */
export const HOLD_TIMEOUT_MS = 5_000;

export interface ToolSpec {
  /** Executable (a name found on PATH, or a path). */
  command: string;
  args: readonly string[];
  ref: LineRef;
  /** Environment for the tool (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export class GpiodProcess {
  private child: ChildProcess | null = null;
  private readonly stderr = new StderrTail();
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  /**
   * @param onLine each stdout line after the banner
   * @param onExit the tool exited on its own after holding the line
   */
  constructor(
    private readonly spec: ToolSpec,
    private readonly onLine: (line: string) => void,
    private readonly onExit: (error: ErrorInfo) => void,
  ) {}

  /** Resolves once the tool holds the line; rejects with an EarshotError (EARSHOT_E_GPIO_…) otherwise. */
  start(): Promise<void> {
    const { command, args, ref } = this.spec;
    return new Promise((resolve, reject) => {
      let held = false;
      let partial = '';
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.spec.env ?? process.env });
      this.child = child;
      this.stopping = false;
      const timer = setTimeout(() => {
        if (held) return;
        fail({ code: 'EARSHOT_E_GPIO_FAILED', detail: `${command} did not hold ${ref.line} within ${HOLD_TIMEOUT_MS} ms` });
        child.kill('SIGKILL');
      }, HOLD_TIMEOUT_MS);
      let settled = false;
      const fail = (e: ErrorInfo): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new EarshotError(e.code, e.detail));
      };
      this.exited = new Promise((done) => child.once('close', () => done()));
      child.once('error', (err: NodeJS.ErrnoException) => fail(classifySpawnFailure(command, err)));
      child.stderr?.on('data', (b: Buffer) => this.stderr.push(b));
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (held) this.onLine(line);
          else if (BANNER.test(line)) {
            held = true;
            settled = true;
            clearTimeout(timer);
            resolve();
          }
        }
      });
      child.once('close', (code) => {
        if (this.child === child) this.child = null;
        if (!held) fail(classifyToolFailure(command, ref, code, this.stderr.lastLine()));
        else if (!this.stopping) this.onExit(classifyToolFailure(command, ref, code, this.stderr.lastLine()));
      });
    });
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Stops the tool and resolves once it has exited (the line is released). */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await this.exited;
  }
}
