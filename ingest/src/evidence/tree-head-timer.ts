/**
 * Periodic signed tree heads (issue 4: "signed tree heads are produced
 * periodically and on demand"). The decision is a pure function; the timer is a
 * thin shell the service starts and stops.
 */

export interface TreeHeadSigner {
  readonly size: number;
  /** Size and signing time of the latest head, or null before the first. */
  latestHeadInfo(): { treeSize: number; timestamp: string } | null;
  signTreeHead(): unknown;
}

export interface TreeHeadSchedule {
  /** How often to look (ms). */
  readonly intervalMs: number;
  /** Sign even without new leaves once the latest head is this old (ms), so the log shows it is alive. */
  readonly maxAgeMs: number;
}

/** Whether a new head is due: none yet, the log has grown, or the latest is older than maxAgeMs. */
export function treeHeadDue(latest: { treeSize: number; timestamp: string } | null, size: number, now: Date, maxAgeMs: number): boolean {
  if (latest === null) return true;
  if (latest.treeSize !== size) return true;
  return now.getTime() - Date.parse(latest.timestamp) >= maxAgeMs;
}

export interface TreeHeadTimer {
  stop(): void;
}

/** Checks every intervalMs and signs when due; an error goes to onError and the timer keeps going. */
export function startTreeHeadTimer(log: TreeHeadSigner, schedule: TreeHeadSchedule, onError: (e: unknown) => void, now: () => Date = () => new Date()): TreeHeadTimer {
  const tick = (): void => {
    try {
      if (treeHeadDue(log.latestHeadInfo(), log.size, now(), schedule.maxAgeMs)) log.signTreeHead();
    } catch (e) {
      onError(e);
    }
  };
  const timer = setInterval(tick, schedule.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
