/**
 * Reconnect delays of the ingest's broker connection: "full jitter" (AWS
 * Architecture Blog, "Exponential Backoff And Jitter", 2015), attempt n waits a
 * uniformly random time in (0, min(maxMs, initialMs · 2^n)], so several ingest
 * processes that lost the broker at once do not come back in lockstep. The
 * monitors use the same schedule (firmware/src/uplink/backoff.ts). Pure: the
 * random source is given.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** A broker restart is usually back within seconds; 10 s bounds how long a recovered broker waits for its consumers. */
export const BROKER_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 10_000 };

/** At least 1 ms: mqtt.js reads a reconnectPeriod of 0 as "never reconnect". */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.round(ceiling * random()));
}
