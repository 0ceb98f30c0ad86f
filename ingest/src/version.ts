/** The ingest service's version, from its package.json: the version of the system that produced a bundle's records. */
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const EARSHOT_VERSION: string = pkg.version;
