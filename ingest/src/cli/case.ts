/**
 * `earshot case open | list | show | categorise | close | reopen` (usage in main.ts). Each subcommand's module is
 * loaded when it runs: reading (case-read.ts) needs far less than changing a case (case-change.ts).
 */
import { type Command, lazyCommand } from './context.ts';

const read = (name: 'list' | 'show'): Command => lazyCommand(async () => (await import('./case-read.ts'))[name]);
const change = (name: 'open' | 'categorise' | 'close' | 'reopen'): Command => lazyCommand(async () => (await import('./case-change.ts'))[name]);

export const caseCommands: Record<string, Command> = {
  open: change('open'), list: read('list'), show: read('show'), categorise: change('categorise'), close: change('close'), reopen: change('reopen'),
};
