/** How a command that reads or changes the record opens the data folder (all of the service, openIngest). */
import { resolveDataDir } from '../data-dir.ts';
import { type Ingest, openIngest } from '../service/open-ingest.ts';

/** Opens the data folder for the command, closing it whatever happens. */
export async function withIngest<T>(dataDir: string | undefined, f: (ingest: Ingest) => T | Promise<T>): Promise<T> {
  const ingest = openIngest(resolveDataDir(dataDir));
  try {
    return await f(ingest);
  } finally {
    ingest.close();
  }
}
