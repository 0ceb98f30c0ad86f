/**
 * What every `earshot` subcommand is given: where to write, and the option naming
 * the data folder it works on (`--data-dir`, else EARSHOT_DATA_DIR, else ./data),
 * which with-ingest.ts (the whole service) or with-record.ts (reading only) opens.
 */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Standard input as text (for --password-stdin, diary import from -). */
  stdin(): Promise<string>;
}

export type Command = (args: readonly string[], io: Io) => Promise<number> | number;

/** The options every data-folder command takes. */
export const DATA_DIR_OPTION = { 'data-dir': { type: 'string' } } as const;

/** A command whose module is imported only when it runs (so a group's light subcommands load nothing heavy). */
export function lazyCommand(load: () => Promise<Command>): Command {
  return async (args, io) => (await load())(args, io);
}

/** Prints rows as aligned columns (or nothing but a note when there are none). */
export function table(io: Io, rows: readonly Record<string, unknown>[], columns: readonly string[], none: string): void {
  if (rows.length === 0) {
    io.out(none);
    return;
  }
  const text = (v: unknown): string => (v === null || v === undefined ? '–' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  io.out(columns.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  for (const r of rows) io.out(columns.map((c, i) => text(r[c]).padEnd(widths[i]!)).join('  ').trimEnd());
}
