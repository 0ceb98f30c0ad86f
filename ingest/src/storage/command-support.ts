/**
 * Which `earshot` commands run against PostgreSQL yet (DESIGN §8). Until every
 * store is behind the storage port, a command that would silently use the
 * SQLite file while EARSHOT_STORE_URL names PostgreSQL is refused instead, and
 * a malformed EARSHOT_STORE_URL stops every command that uses a store. Light on
 * purpose (no driver is loaded): the command line checks this before it loads
 * the command.
 */
import { EarshotError } from '@earshot/shared';
import { STORE_URL_ENV, type StoreTarget, storeFromEnv } from './store-url.ts';

/** Commands that already work on a PostgreSQL store: a whole command ("serve") or "group sub". */
const ON_POSTGRES = new Set([
  'serve', 'log verify', 'log head', 'store copy', 'device add', 'device list', 'device disable', 'device enable',
  'case open', 'case list', 'case show', 'case categorise', 'case close', 'case reopen', 'deploy start', 'deploy end', 'deploy list', 'deploy link', 'deploy sheet', 'user add', 'user list',
  'diary add', 'diary import', 'diary list', 'bundle export',
]);
/** Commands that use no store, or name theirs on the command line. */
const OWN_STORE = new Set(['verify', 'store', 'broker']);

export function checkStoreForCommand(name: string, sub: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  if (OWN_STORE.has(name)) return;
  refuseUnsupported(name, sub, storeFromEnv(env), `unset ${STORE_URL_ENV}`);
}

/** The same refusal for a store named by a config file's `"store": {"url": …}` (a command that reads a config: serve). */
function refuseUnsupported(name: string, sub: string | undefined, target: StoreTarget, howToUnset = `unset ${STORE_URL_ENV} and the config's "store.url"`): void {
  if (target.kind === 'postgres' && !ON_POSTGRES.has(name) && !ON_POSTGRES.has(`${name} ${sub ?? ''}`)) {
    const what = name === 'serve' || sub === undefined ? name : `${name} ${sub}`;
    throw new EarshotError('EARSHOT_E_STORE_NOT_SUPPORTED', `earshot ${what} does not yet run on PostgreSQL (${target.display}); ${howToUnset} to use the embedded SQLite store`);
  }
}
