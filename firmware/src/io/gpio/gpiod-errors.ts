/**
 * What went wrong when a libgpiod v2 tool (`gpiomon`, `gpioset`) would not hold a
 * line, from the one line it writes to stderr before exiting. The tools print
 * `<prog>: <message>` and, for a failed system call, `: <strerror>` after it
 * (libgpiod tools/tools-common.c die(), die_perror(), validate_resolution()).
 * Pure, so each message the tools can give is tested without a chip.
 */
import type { ErrorInfo } from '@earshot/shared';

export interface LineRef {
  /** The line as configured: a name ("GPIO17") or an offset on `chip`. */
  line: string | number;
  chip?: string | undefined;
}

/** "GPIO17" or "line 17 of gpiochip0", for messages. */
export function describeLine(ref: LineRef): string {
  if (typeof ref.line === 'string') return ref.chip === undefined ? `GPIO line ${ref.line}` : `GPIO line ${ref.line} on ${ref.chip}`;
  return `line ${ref.line} of ${ref.chip ?? 'the GPIO chip'}`;
}

/** The error of a tool that exited before it held the line (`code` its exit code, `stderr` its last words). */
export function classifyToolFailure(tool: string, ref: LineRef, code: number | null, stderr: string | null): ErrorInfo {
  const what = describeLine(ref);
  const said = (stderr ?? '').trim();
  // tools-common.c validate_resolution(): "cannot find line '%s'", "offset %s is out of range on chip '%s'".
  if (/cannot find line|out of range on chip/.test(said)) {
    return { code: 'EARSHOT_E_GPIO_NOT_FOUND', detail: `${what} does not exist on this board (${tool}: ${strip(said, tool)}); \`gpioinfo\` lists the lines` };
  }
  // tools-common.c resolve_lines(): "cannot find GPIO chip character device '%s'".
  if (/cannot find GPIO chip|No such file or directory/.test(said)) {
    const chip = ref.chip === undefined ? 'no GPIO chip' : `no GPIO chip ${ref.chip}`;
    return { code: 'EARSHOT_E_GPIO_NOT_FOUND', detail: `${chip} for ${what} (${tool}: ${strip(said, tool)}); \`gpiodetect\` lists the chips` };
  }
  // gpiod_chip_request_lines() fails with EBUSY when another process (or a kernel driver) holds the line.
  if (/Device or resource busy/.test(said)) {
    return { code: 'EARSHOT_E_GPIO_BUSY', detail: `${what} is held by another program or driver; \`gpioinfo\` shows its consumer (a monitor still running, or an overlay in config.txt?)` };
  }
  if (/Permission denied/.test(said)) {
    return { code: 'EARSHOT_E_GPIO_FAILED', detail: `${what}: permission denied on the GPIO chip; run the monitor as a member of the gpio group (SupplementaryGroups=gpio)` };
  }
  // getopt: an option the tool does not know is a v1 tool (libgpiod 1.x has no --banner).
  if (/unrecognized option|invalid option|try .* --help/.test(said)) {
    return { code: 'EARSHOT_E_GPIO_TOOLS', detail: `${tool} is not a libgpiod 2 tool (${strip(said, tool)}); install the gpiod package of Raspberry Pi OS Trixie / Debian 13 or later` };
  }
  const how = code === null ? 'was stopped' : `exited with code ${code}`;
  return { code: 'EARSHOT_E_GPIO_FAILED', detail: `${tool} ${how} for ${what}${said === '' ? '' : `: ${strip(said, tool)}`}` };
}

/** The error of a tool that could not be started at all (spawn's ENOENT / EACCES). */
export function classifySpawnFailure(tool: string, err: NodeJS.ErrnoException): ErrorInfo {
  if (err.code === 'ENOENT') return { code: 'EARSHOT_E_GPIO_TOOLS', detail: `${tool} not found: install the libgpiod 2 tools (\`sudo apt install gpiod\`)` };
  return { code: 'EARSHOT_E_GPIO_TOOLS', detail: `cannot run ${tool}: ${err.message}` };
}

/** The tool's message without its "<prog>: " prefix. */
function strip(said: string, tool: string): string {
  const base = tool.slice(tool.lastIndexOf('/') + 1);
  return said.replace(new RegExp(`^(\\S*/)?${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*`), '').slice(0, 200);
}
