/**
 * The offline watch (issue 12): every minute, each active deployment's monitor
 * against its last heartbeat (monitor-outage.ts decides). Each outage alerted
 * is a row of monitor_outages, so it is alerted once even across restarts of
 * the service, and closed when the monitor is heard again ("back online") or
 * its deployment ends.
 */
import type { Db } from '../db/open.ts';
import type { LiveAlerter } from './alerter.ts';
import { type OpenOutage, type WatchedDeployment, monitorAlertFor, outageSteps } from './monitor-outage.ts';

/** How often the watch looks: a minute, the heartbeat's own period (DESIGN §4). */
export const OFFLINE_CHECK_MS = 60_000;

export interface OfflineWatchOptions {
  readonly db: Db;
  readonly alerter: Pick<LiveAlerter, 'notifyMonitor'>;
  readonly offlineAfterMs: number;
  readonly now?: () => number;
  /** 0: no timer (tests call check()). */
  readonly intervalMs?: number;
  readonly onError?: (e: unknown) => void;
}

export interface OfflineWatch {
  /** One look now; returns how many alerts it raised. */
  check(): number;
  stop(): void;
}

interface DeploymentRow { id: number; case_ref: string; category: string; device_id: string; installed_ms: number }
interface OutageRow { deployment_id: number; device: string; last_heard_ms: number | null; offline_since_ms: number }

export function startOfflineWatch(o: OfflineWatchOptions): OfflineWatch {
  const now = o.now ?? Date.now;
  const watchStartMs = now();
  const deployments = o.db.prepare<[], DeploymentRow>(
    'SELECT d.id, d.case_ref, c.category, d.device_id, d.installed_ms FROM deployments d JOIN cases c ON c.ref = d.case_ref WHERE d.removed_ms IS NULL',
  );
  const lastHeard = o.db.prepare<[string], { received_at: number }>('SELECT received_at FROM status WHERE device = ? ORDER BY seq DESC LIMIT 1');
  const openOutages = o.db.prepare<[], OutageRow>('SELECT deployment_id, device, last_heard_ms, offline_since_ms FROM monitor_outages WHERE closed_ms IS NULL');
  const insert = o.db.prepare<[number, string, string, number | null, number, number]>(
    'INSERT INTO monitor_outages (deployment_id, device, case_ref, last_heard_ms, offline_since_ms, alerted_ms) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const close = o.db.prepare<[number, number | null, string, number]>('UPDATE monitor_outages SET closed_ms = ?, heard_ms = ?, closed_by = ? WHERE deployment_id = ? AND closed_ms IS NULL');

  function check(): number {
    const nowMs = now();
    const watched: WatchedDeployment[] = deployments.all().map((d) => ({
      deploymentId: d.id, caseRef: d.case_ref, category: d.category, deviceId: d.device_id, installedMs: d.installed_ms, lastHeardMs: lastHeard.get(d.device_id)?.received_at ?? null,
    }));
    const open = new Map<number, OpenOutage>(openOutages.all().map((r) => [r.deployment_id, { deploymentId: r.deployment_id, deviceId: r.device, lastHeardMs: r.last_heard_ms, offlineSinceMs: r.offline_since_ms }]));
    let raised = 0;
    for (const step of outageSteps(watched, open, { nowMs, offlineAfterMs: o.offlineAfterMs, watchStartMs })) {
      if (step.kind === 'ended') {
        close.run(nowMs, null, 'deployment-ended', step.outage.deploymentId);
        continue;
      }
      // The row first: an alert is raised only once its outage is recorded.
      if (step.kind === 'offline') insert.run(step.deployment.deploymentId, step.deployment.deviceId, step.deployment.caseRef, step.deployment.lastHeardMs, step.offlineSinceMs, nowMs);
      else close.run(nowMs, step.heardMs, 'back-online', step.deployment.deploymentId);
      o.alerter.notifyMonitor(monitorAlertFor(step, nowMs));
      raised++;
    }
    return raised;
  }

  const intervalMs = o.intervalMs ?? OFFLINE_CHECK_MS;
  const timer = intervalMs > 0
    ? setInterval(() => {
      try {
        check();
      } catch (e) {
        o.onError?.(e);
      }
    }, intervalMs)
    : null;
  timer?.unref();
  return { check, stop: () => { if (timer !== null) clearInterval(timer); } };
}
