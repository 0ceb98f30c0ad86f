/**
 * The offline watch (issue 12): every minute, each active deployment's monitor
 * against its last heartbeat (monitor-outage.ts decides). Each outage alerted
 * is a row of monitor_outages, so it is alerted once even across restarts of
 * the service, and closed when the monitor is heard again ("back online") or
 * its deployment ends.
 */
import type { Db } from '../db/open.ts';
import { writeNow } from '../storage/record/sqlite-record.ts';
import { type Steps, all, get, run } from '../storage/record/steps.ts';
import type { LiveAlerter } from './alerter.ts';
import { type MonitorAlert, type OpenOutage, type OutageOptions, type WatchedDeployment, monitorAlertFor, outageSteps } from './monitor-outage.ts';

/** How often the watch looks: a minute, the heartbeat's own period (DESIGN §4). */
export const OFFLINE_CHECK_MS = 60_000;

interface DeploymentRow { id: number; case_ref: string; category: string; device_id: string; installed_ms: number }
interface OutageRow { deployment_id: number; device: string; last_heard_ms: number | null; offline_since_ms: number }

/**
 * One look, as steps of the record port (either store): the outages it finds recorded, the ones that ended
 * closed, and the alerts to raise — raised by the caller once the rows are committed, so an alert is raised
 * only for an outage that is recorded (and so only once, across restarts and processes).
 */
export function* offlineCheckSteps(o: OutageOptions): Steps<MonitorAlert[]> {
  const rows = yield* all<DeploymentRow>(
    'SELECT d.id, d.case_ref, c.category, d.device_id, d.installed_ms FROM deployments d JOIN cases c ON c.ref = d.case_ref WHERE d.removed_ms IS NULL',
  );
  const watched: WatchedDeployment[] = [];
  for (const d of rows) {
    const heard = yield* get<{ received_at: number }>('SELECT received_at FROM status WHERE device = ? ORDER BY seq DESC LIMIT 1', d.device_id);
    watched.push({ deploymentId: d.id, caseRef: d.case_ref, category: d.category, deviceId: d.device_id, installedMs: d.installed_ms, lastHeardMs: heard?.received_at ?? null });
  }
  const open = new Map<number, OpenOutage>();
  for (const r of yield* all<OutageRow>('SELECT deployment_id, device, last_heard_ms, offline_since_ms FROM monitor_outages WHERE closed_ms IS NULL')) {
    open.set(r.deployment_id, { deploymentId: r.deployment_id, deviceId: r.device, lastHeardMs: r.last_heard_ms, offlineSinceMs: r.offline_since_ms });
  }
  const close = 'UPDATE monitor_outages SET closed_ms = ?, heard_ms = ?, closed_by = ? WHERE deployment_id = ? AND closed_ms IS NULL';
  const alerts: MonitorAlert[] = [];
  for (const step of outageSteps(watched, open, o)) {
    if (step.kind === 'ended') {
      yield* run(close, o.nowMs, null, 'deployment-ended', step.outage.deploymentId);
      continue;
    }
    if (step.kind === 'offline') {
      yield* run(
        'INSERT INTO monitor_outages (deployment_id, device, case_ref, last_heard_ms, offline_since_ms, alerted_ms) VALUES (?, ?, ?, ?, ?, ?)',
        step.deployment.deploymentId, step.deployment.deviceId, step.deployment.caseRef, step.deployment.lastHeardMs, step.offlineSinceMs, o.nowMs,
      );
    } else {
      yield* run(close, o.nowMs, step.heardMs, 'back-online', step.deployment.deploymentId);
    }
    alerts.push(monitorAlertFor(step, o.nowMs));
  }
  return alerts;
}

export interface OfflineWatchOptions {
  readonly alerter: Pick<LiveAlerter, 'notifyMonitor'>;
  readonly offlineAfterMs: number;
  readonly now?: () => number;
  /** 0: no timer (tests call check()). */
  readonly intervalMs?: number;
  readonly onError?: (e: unknown) => void;
}

export interface OfflineWatch<N = number> {
  /** One look now; how many alerts it raised. */
  check(): N;
  stop(): void;
}

/** Raises a committed look's alerts; how many. */
export function raiseAlerts(alerter: Pick<LiveAlerter, 'notifyMonitor'>, alerts: readonly MonitorAlert[]): number {
  for (const a of alerts) alerter.notifyMonitor(a);
  return alerts.length;
}

/** Runs check every intervalMs (none for 0), reporting a failure, thrown or rejected, to onError; returns stop. */
export function everyInterval(o: Pick<OfflineWatchOptions, 'intervalMs' | 'onError'>, check: () => unknown): () => void {
  const intervalMs = o.intervalMs ?? OFFLINE_CHECK_MS;
  if (intervalMs <= 0) return () => undefined;
  const timer = setInterval(() => {
    try {
      const r = check();
      if (r instanceof Promise) r.catch((e: unknown) => o.onError?.(e));
    } catch (e) {
      o.onError?.(e);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The watch on the embedded store: each look one immediate transaction, its alerts raised after it. */
export function startOfflineWatch(o: OfflineWatchOptions & { readonly db: Db }): OfflineWatch {
  const now = o.now ?? Date.now;
  const watchStartMs = now();
  const check = (): number => raiseAlerts(o.alerter, writeNow({ db: o.db }, offlineCheckSteps({ nowMs: now(), offlineAfterMs: o.offlineAfterMs, watchStartMs })));
  return { check, stop: everyInterval(o, check) };
}
