/**
 * A JSON file the service is pointed at (its settings, the broker account), read
 * with the failures as coded errors: unreadable (the OS's code) or not JSON.
 * `secret`: the file holds a password, so the parser's message — which quotes
 * the text around the fault — is left out of the error.
 */
import { readFileSync } from 'node:fs';
import { EarshotError } from '@earshot/shared';

export function readJsonFile(file: string, o: { secret?: boolean } = {}): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new EarshotError('EARSHOT_E_FILE_UNREADABLE', `${file}: ${code}`);
    throw new EarshotError('EARSHOT_E_CONFIG_INVALID', o.secret === true ? `${file} is not JSON` : `${file} is not JSON: ${(e as Error).message}`);
  }
}
