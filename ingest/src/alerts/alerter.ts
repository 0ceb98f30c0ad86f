/**
 * The live alerter: `notify` logs the alert at once and starts the webhook POST
 * in the background, returning immediately, so the ingest pipeline never waits
 * on a slow or absent webhook. In-flight deliveries are bounded (maxPending).
 */
import { parseInput } from '../cases/validate.ts';
import { AlertConfig, type ResolvedAlertConfig } from './config.ts';
import type { LiveAlert } from './live-alert.ts';
import type { MonitorAlert } from './monitor-outage.ts';
import { postWebhook } from './webhook.ts';

/** The subset of a pino logger the alerter uses. */
export interface AlertLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AlertStats {
  readonly notified: number;
  readonly delivered: number;
  readonly failed: number;
  readonly dropped: number;
  readonly pending: number;
}

export interface LiveAlerter {
  notify(alert: LiveAlert): void;
  /** A deployed monitor offline for over an hour, or back online (monitor-outage.ts): logged and POSTed like a live alert. */
  notifyMonitor(alert: MonitorAlert): void;
  stats(): AlertStats;
  /** Waits for deliveries in flight (for shutdown and tests). */
  drain(): Promise<void>;
}

export function createLiveAlerter(config: AlertConfig, log: AlertLog): LiveAlerter {
  const cfg: ResolvedAlertConfig = parseInput(AlertConfig, config, 'EARSHOT_E_CONFIG_INVALID');
  const inFlight = new Set<Promise<void>>();
  let notified = 0;
  let delivered = 0;
  let failed = 0;
  let dropped = 0;

  function deliver(url: string, alert: LiveAlert | MonitorAlert): void {
    const p = postWebhook(url, JSON.stringify(alert), cfg).then(
      (outcome) => {
        if (outcome.ok) delivered++;
        else {
          failed++;
          log.error({ alert, attempts: outcome.attempts, error: outcome.error }, 'live alert webhook failed');
        }
      },
      (e: unknown) => {
        failed++;
        log.error({ alert, error: String(e) }, 'live alert webhook failed');
      },
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }

  return {
    notify(alert) {
      notified++;
      log.warn({ alert }, `live alert: ${alert.kind} on high-risk case ${alert.caseRef}`);
      if (cfg.webhookUrl === undefined) return;
      if (inFlight.size >= cfg.maxPending) {
        dropped++;
        log.error({ alert, pending: inFlight.size }, 'live alert not sent: too many in flight');
        return;
      }
      deliver(cfg.webhookUrl, alert);
    },
    notifyMonitor(alert) {
      notified++;
      log.warn({ alert }, alert.kind === 'offline'
        ? `monitor ${alert.deviceId} offline for ${alert.offlineMinutes} min during its deployment on case ${alert.caseRef}`
        : `monitor ${alert.deviceId} back online after ${alert.offlineMinutes} min, case ${alert.caseRef}`);
      if (cfg.webhookUrl === undefined) return;
      if (inFlight.size >= cfg.maxPending) {
        dropped++;
        log.error({ alert, pending: inFlight.size }, 'monitor alert not sent: too many in flight');
        return;
      }
      deliver(cfg.webhookUrl, alert);
    },
    stats: () => ({ notified, delivered, failed, dropped, pending: inFlight.size }),
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
