/**
 * Monitor outages during deployments (issue 12): a deployed monitor not heard
 * for more than an hour raises one "offline" alert per outage, and one "back
 * online" alert at its next heartbeat. Pure: given the active deployments with
 * when each monitor was last heard, the outages already alerted and the time,
 * it says what to raise. The watch (offline-watch.ts) does the I/O.
 */

/** Issue 12: "offline for more than an hour during a deployment raises an alert". */
export const DEFAULT_OFFLINE_ALERT_MS = 60 * 60_000;

export interface WatchedDeployment {
  readonly deploymentId: number;
  readonly caseRef: string;
  readonly category: string;
  readonly deviceId: string;
  readonly installedMs: number;
  /** The last heartbeat's receipt time (DESIGN §4 status), null if never heard. */
  readonly lastHeardMs: number | null;
}

/** An outage already alerted and not yet over. */
export interface OpenOutage {
  readonly deploymentId: number;
  readonly deviceId: string;
  /** The last heartbeat before it, null if the monitor had never been heard. */
  readonly lastHeardMs: number | null;
  readonly offlineSinceMs: number;
}

export type OutageStep =
  | { readonly kind: 'offline'; readonly deployment: WatchedDeployment; readonly offlineSinceMs: number }
  | { readonly kind: 'online'; readonly deployment: WatchedDeployment; readonly outage: OpenOutage; readonly heardMs: number }
  /** The deployment ended while the monitor was offline: the outage is closed without an alert. */
  | { readonly kind: 'ended'; readonly outage: OpenOutage };

export interface OutageOptions {
  readonly nowMs: number;
  readonly offlineAfterMs: number;
  /**
   * When watching began (the service's start). Time before it is not counted:
   * while the service itself was down no monitor could be heard, so a restart
   * after downtime must not report every monitor offline.
   */
  readonly watchStartMs: number;
}

export function outageSteps(deployments: readonly WatchedDeployment[], open: ReadonlyMap<number, OpenOutage>, o: OutageOptions): OutageStep[] {
  const steps: OutageStep[] = [];
  const active = new Set<number>();
  for (const d of deployments) {
    if (d.installedMs > o.nowMs) continue;
    active.add(d.deploymentId);
    const outage = open.get(d.deploymentId);
    if (outage !== undefined) {
      if (d.lastHeardMs !== null && (outage.lastHeardMs === null || d.lastHeardMs > outage.lastHeardMs)) steps.push({ kind: 'online', deployment: d, outage, heardMs: d.lastHeardMs });
      continue;
    }
    const counted = Math.max(d.lastHeardMs ?? d.installedMs, d.installedMs, o.watchStartMs);
    if (o.nowMs - counted > o.offlineAfterMs) steps.push({ kind: 'offline', deployment: d, offlineSinceMs: Math.max(d.lastHeardMs ?? d.installedMs, d.installedMs) });
  }
  for (const outage of open.values()) if (!active.has(outage.deploymentId)) steps.push({ kind: 'ended', outage });
  return steps;
}

/** The webhook's JSON for a monitor outage (beside the live alerts' `earshot.live-alert`). */
export interface MonitorAlert {
  readonly type: 'earshot.monitor-alert';
  readonly v: 1;
  readonly kind: 'offline' | 'online';
  readonly caseRef: string;
  readonly category: string;
  readonly deviceId: string;
  readonly deploymentId: number;
  /** offline: the last heartbeat before the outage (null: never heard); online: the heartbeat that ended it. */
  readonly lastHeardAt: string | null;
  /** The last heartbeat, or the deployment's start if the monitor was not heard after it. */
  readonly offlineSince: string;
  /** How long it has been offline (offline) or was (online), whole minutes. */
  readonly offlineMinutes: number;
  /** When the ingest raised the alert. */
  readonly at: string;
}

export function monitorAlertFor(step: Exclude<OutageStep, { kind: 'ended' }>, nowMs: number): MonitorAlert {
  const d = step.deployment;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const since = step.kind === 'offline' ? step.offlineSinceMs : step.outage.offlineSinceMs;
  const until = step.kind === 'offline' ? nowMs : step.heardMs;
  return {
    type: 'earshot.monitor-alert',
    v: 1,
    kind: step.kind,
    caseRef: d.caseRef,
    category: d.category,
    deviceId: d.deviceId,
    deploymentId: d.deploymentId,
    lastHeardAt: step.kind === 'online' ? iso(step.heardMs) : d.lastHeardMs === null ? null : iso(d.lastHeardMs),
    offlineSince: iso(since),
    offlineMinutes: Math.floor((until - since) / 60_000),
    at: iso(nowMs),
  };
}
