/**
 * Reconnect delays: exponential from `initialMs`, doubling per failed attempt
 * up to `maxMs`, with "equal jitter" (half fixed, half random) so a fleet that
 * lost its broker at once does not reconnect in lockstep (AWS Architecture
 * Blog, "Exponential Backoff And Jitter", 2015). Pure: the random source is given.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1_000, maxMs: 120_000 };

/** Delay before reconnect attempt `attempt` (0 for the first after a drop). */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
