/**
 * The offline-monitor alerts on PostgreSQL (issue 12, 15): the same look as the embedded store's
 * (alerts/offline-watch.ts offlineCheckSteps, through the record port), by the holder of the
 * `offline-alerts` lease only, so however many `earshot serve` share the store an outage is recorded and
 * alerted once. The look's rows commit before its alerts go; a look is skipped while the last is running.
 */
import { type OfflineWatch, type OfflineWatchOptions, everyInterval, offlineCheckSteps, raiseAlerts } from '../../alerts/offline-watch.ts';
import type { RecordStore } from '../record/steps.ts';

export interface PgOfflineWatchOptions extends OfflineWatchOptions {
  readonly record: RecordStore;
  /** Whether this process holds the `offline-alerts` lease now. */
  readonly held: () => boolean;
}

export function startPgOfflineWatch(o: PgOfflineWatchOptions): OfflineWatch<Promise<number>> {
  const now = o.now ?? Date.now;
  const watchStartMs = now();
  let running: Promise<number> | null = null;
  const check = (): Promise<number> => {
    if (!o.held()) return Promise.resolve(0);
    running ??= o.record.write(offlineCheckSteps({ nowMs: now(), offlineAfterMs: o.offlineAfterMs, watchStartMs }))
      .then((alerts) => raiseAlerts(o.alerter, alerts))
      .finally(() => {
        running = null;
      });
    return running;
  };
  return { check, stop: everyInterval(o, check) };
}
