/** The arguments the `earshot case` subcommands share. */
import { EarshotError } from '@earshot/shared';
import { z } from 'zod';
import { CASE_REF_PATTERN } from '../cases/index.ts';

export const CaseRefArg = z.array(z.string()).length(1, 'one case reference, e.g. ASB-2026-0001');

/** The case reference argument, refused with its own code when it is not a reference at all. */
export function refArg(positionals: readonly string[]): string {
  const ref = positionals[0]!;
  if (!CASE_REF_PATTERN.test(ref)) throw new EarshotError('EARSHOT_E_CASE_REF_INVALID', `${JSON.stringify(ref)} (like ASB-2026-0001)`);
  return ref;
}

export const DataDir = { 'data-dir': z.string().optional() };
