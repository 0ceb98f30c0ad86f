/**
 * The running `earshot serve`'s part in keeping an external broker's device
 * accounts in step with the registry (device-accounts.ts says who does what):
 * a device added in this process gets its account at once (its secret exists
 * only now); every device enabled or disabled — here, in the browser, or by
 * `earshot device` from another process — is applied within ACCOUNT_POLL_MS;
 * at start every disabled device is disabled at the broker again. A change the
 * broker did not answer (unreachable) is tried again while connected; one it
 * answered with an error is logged and left.
 */
import type { Logger } from 'pino';
import { CHANGE_LAG_MS, type DeviceRegistry } from '../devices/registry.ts';
import type { DeviceAccounts } from './device-accounts.ts';

/** As the embedded broker's look for devices disabled elsewhere (broker/server.ts DISABLE_POLL_MS). */
export const ACCOUNT_POLL_MS = 1_000;

export interface AccountSyncOptions {
  readonly registry: DeviceRegistry;
  readonly accounts: DeviceAccounts;
  readonly logger: Logger;
  /** Whether the broker can be asked now (connected). */
  readonly connected: () => boolean;
  readonly pollMs?: number;
}

export function startAccountSync(o: AccountSyncOptions): { stop(): void } {
  const { registry, accounts, logger } = o;
  const pollMs = o.pollMs ?? ACCOUNT_POLL_MS;
  /** What the broker was last told per device by this process; changes to other states are sent. */
  const told = new Map<string, boolean>();
  /** Devices whose change the broker has not taken yet. */
  const owed = new Set<string>();
  let stopped = false;

  /**
   * The change of each device applied last here, as its stamp and state: another process (`earshot device` with the
   * broker) may have set the broker's account since this one told it, so each change is applied once, whatever `told`
   * says. A change is known by being different, not later: a write that waited for the lock commits an older stamp.
   */
  const applied = new Map<string, string>();

  const apply = (id: string, enabled: boolean, change = false): void => {
    if (!change && told.get(id) === enabled) return;
    accounts.setEnabled(id, enabled).then(() => {
      told.set(id, enabled);
      owed.delete(id);
      logger.info({ device: id, enabled }, enabled ? 'device account enabled at the broker' : 'device account disabled at the broker');
    }, (e: unknown) => {
      const code = (e as { code?: string }).code;
      // Unanswered: tried again. Answered with an error (e.g. no account of that name): told, and not asked again.
      if (code === 'EARSHOT_E_BROKER_ACCOUNTS_FAILED') told.set(id, enabled);
      else owed.add(id);
      logger.warn({ device: id, enabled, err: (e as Error).message, code }, code === 'EARSHOT_E_BROKER_ACCOUNTS_FAILED'
        ? 'the broker refused the device account change'
        : 'device account change not applied at the broker yet; tried again');
    });
  };

  registry.onAdd((p) => {
    accounts.add(p.deviceId, p.secret).then(
      () => logger.info({ device: p.deviceId }, 'device account made at the broker'),
      (e: unknown) => logger.error({ device: p.deviceId, err: (e as Error).message, code: (e as { code?: string }).code }, 'device account not made at the broker: add the device again'),
    );
  });

  for (const d of registry.list()) if (!d.enabled) owed.add(d.id);
  // Overlapping windows: a change is stamped before its write waits for the lock (CHANGE_LAG_MS); one told already costs a lookup.
  let since = Date.now();
  const timer = setInterval(() => {
    if (stopped || !o.connected()) return;
    const now = Date.now();
    try {
      for (const c of registry.changedSince(since - CHANGE_LAG_MS)) {
        const change = `${c.changedAt}:${c.enabled ? 1 : 0}`;
        if (applied.get(c.id) === change) continue;
        applied.set(c.id, change);
        apply(c.id, c.enabled, true);
      }
      for (const id of owed) {
        const d = registry.get(id);
        if (d !== null) apply(id, d.enabled);
        else owed.delete(id);
      }
      since = now;
    } catch (e) {
      logger.error({ err: e }, 'device accounts check failed');
    }
  }, pollMs);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
