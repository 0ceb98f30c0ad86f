/**
 * Reconnect delays: "full jitter" (AWS Architecture Blog, "Exponential Backoff
 * And Jitter", 2015): attempt n waits a uniformly random time in
 * (0, min(maxMs, initialMs · 2^n)], so a fleet that lost its ingest at once
 * does not come back in lockstep, and no wait is longer than `maxMs`. Pure:
 * the random source is given.
 *
 * Why a cap of 8 s. A restored link must be used within 10 s (issue 18: with a
 * 120 s cap a monitor came back 58 s after a 47 s cut). While the link is down
 * each attempt fails either at once (connection refused or reset) or after the
 * TCP handshake timeout (HANDSHAKE_TIMEOUT_MS = 3 s: a black-holed path; Linux
 * sends SYNs at 0 and 1 s within it, RFC 6298 §2: initial RTO 1 s), then waits
 * at most 8 s. So the first attempt after the link returns starts within
 * 8 s (refused) or 3 − 1 + 8 = 10 s (black hole) of its return.
 *
 * Why that is no reconnect storm for 10,000 monitors. Once they are all at
 * the cap, each tries on average every 4 s: 10,000 / 4 = 2,500 attempts/s
 * while the ingest is unreachable — TCP refusals, or nothing at all on a cut
 * path, never work for the ingest. When it returns, the first CONNECTs of all
 * 10,000 arrive within 8 s, at most ≈ 2,500 in any second and falling
 * (firmware/test/uplink/backoff.test.ts counts them): spread, never in
 * lockstep. The ingest admits ≈ 130 CONNECTs/s on a 2-core machine (measured:
 * `earshot serve`, 2,000 devices connecting 48 at a time), so such a fleet on
 * one such machine is back in 10,000 / 130 ≈ 77 s whatever the schedule; the
 * schedule only must not add to that. It does not: each monitor has at most
 * one attempt open, and one the ingest sheds (it holds at most 2,048 waiting
 * for authentication and closes the rest at once: ingest/src/broker/
 * connection-gate.ts) comes again within 8 s as
 * another cheap close, not as a second CONNECT queued behind the first. Up to
 * 130 × 8 ≈ 1,000 monitors per ingest of this size are back within the 10 s.
 */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 8_000 };

/** The TCP handshake to the ingest: longer means the path is black-holed (see above). */
export const HANDSHAKE_TIMEOUT_MS = 3_000;

/**
 * Delay before reconnect attempt `attempt` (0 for the first after a drop), at
 * least 1 ms: mqtt.js reads a reconnectPeriod of 0 as "never reconnect".
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.round(ceiling * random()));
}

/** How the last connection (or attempt) ended. */
export type ConnectionEnd =
  /** No CONNACK: the network or the ingest is down, or the CONNECT was refused. */
  | 'failed'
  /** CONNACK, and the session made progress (a PUBACK, or nothing to send) before it closed. */
  | 'dropped'
  /** CONNACK, then the ingest closed the session without acknowledging what was in flight (e.g. its disk was full). */
  | 'refused';

/**
 * The uplink's reconnect schedule. Network failures and refused publishes are
 * counted apart: a refusal proves the link works, so it does not escalate the
 * network backoff (a cut after it is retried from the bottom of the schedule);
 * refusals back off on their own count, to the same cap, so an ingest that
 * cannot store is not asked again at once, yet gets the backlog within `maxMs`
 * of storing again. A CONNACK resets the failures, a PUBACK the refusals.
 */
export class ReconnectSchedule {
  private failures = 0;
  private refusals = 0;

  constructor(private readonly o: BackoffOptions = DEFAULT_BACKOFF, private readonly random: () => number = Math.random) {}

  /** A CONNACK accepting the connection: the link works. */
  connected(): void {
    this.failures = 0;
  }

  /** A PUBACK: the ingest stores again. */
  acknowledged(): void {
    this.refusals = 0;
  }

  /** The delay before the next attempt, after a connection ended as `end`. */
  next(end: ConnectionEnd): number {
    if (end === 'refused') return backoffDelay(this.refusals++, this.o, this.random);
    if (end === 'dropped') this.failures = 0;
    return backoffDelay(this.failures++, this.o, this.random);
  }

  /** Counts for status and tests. */
  state(): { readonly failures: number; readonly refusals: number } {
    return { failures: this.failures, refusals: this.refusals };
  }
}
