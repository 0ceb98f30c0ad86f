/**
 * How many prepare workers `earshot serve` starts (issue 19): one per core
 * beyond the one the broker, the store and the web view share, at most four
 * (one transaction at a time on the pipeline's thread bounds what more could
 * give); EARSHOT_PIPELINE_WORKERS sets it (0: every step on one thread).
 */
import { availableParallelism } from 'node:os';
import { EarshotError } from '@earshot/shared';

export const MAX_WORKERS = 4;

export function prepareWorkerCount(env: NodeJS.ProcessEnv, cores: number = availableParallelism()): number {
  const set = env['EARSHOT_PIPELINE_WORKERS'];
  if (set === undefined || set === '') return Math.max(0, Math.min(MAX_WORKERS, cores - 1));
  if (!/^\d{1,2}$/.test(set) || Number(set) > 16) throw new EarshotError('EARSHOT_E_USAGE', `EARSHOT_PIPELINE_WORKERS must be a whole number from 0 to 16, not "${set}"`);
  return Number(set);
}
