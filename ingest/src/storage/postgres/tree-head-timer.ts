/**
 * Periodic signed tree heads on a PostgreSQL store (issue 4, DESIGN §5): the
 * same rule as the embedded store's timer (evidence/tree-head-timer.ts
 * treeHeadDue: none yet, the log has grown, or the latest is a day old), run
 * by the one `earshot serve` holding the `tree-heads` lease (issue 15), so
 * several processes on one store never sign the same size twice.
 *
 * A tree of a given size never changes, so reading the size and computing its
 * root need no lock against the appenders of other processes.
 */
import type { ServerKey } from '../../evidence/server-key.ts';
import { signTreeHead, treeHeadInfo } from '../../evidence/tree-head.ts';
import { type TreeHeadSchedule, treeHeadDue } from '../../evidence/tree-head-timer.ts';
import type { EvidenceLogPort, StoredTreeHead } from '../evidence-log-port.ts';

/** Signs a head of the log as it is now, when one is due (or always with `force`); null when none was due. */
export async function signTreeHeadIfDue(log: EvidenceLogPort, key: ServerKey, o: { maxAgeMs: number; now?: Date; force?: boolean }): Promise<StoredTreeHead | null> {
  const now = o.now ?? new Date();
  const size = await log.size();
  const latest = await log.latestTreeHead();
  const info = latest === null ? null : treeHeadInfo(latest.bytes);
  if (o.force !== true && !treeHeadDue(info, size, now, o.maxAgeMs)) return null;
  if (o.force === true && info !== null && info.treeSize === size) return null;
  const signed = signTreeHead(size, await log.root(size), now, key.privateKey, key.logId);
  return log.recordTreeHead(size, signed.bytes, signed.signature);
}

export interface PgTreeHeadTimer {
  stop(): void;
}

/** Every intervalMs, while `held()`: a head when due. One tick at a time; an error goes to onError and the timer keeps going. */
export function startPgTreeHeadTimer(log: EvidenceLogPort, key: ServerKey, schedule: TreeHeadSchedule, held: () => boolean, onError: (e: unknown) => void): PgTreeHeadTimer {
  let running = false;
  const tick = (): void => {
    if (running || !held()) return;
    running = true;
    signTreeHeadIfDue(log, key, { maxAgeMs: schedule.maxAgeMs }).catch(onError).finally(() => {
      running = false;
    });
  };
  const timer = setInterval(tick, schedule.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
