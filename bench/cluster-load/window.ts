/**
 * One measured window of the fleet bench: every simulated device publishes its
 * pre-signed messages on schedule (ingest-load/fleet.ts planWindow) at QoS 1
 * to mosquitto, and each message's latency is publish → the COMMIT that stored
 * it, as the database's notification reports it (store.ts). mosquitto's
 * PUBACK is counted too (the broker took the message), but it is no evidence
 * of storage (DESIGN §4, the end-to-end argument): the figures are the commits.
 */
import type { Planned } from '../ingest-load/fleet.ts';
import type { Fleet } from '../ingest-load/load.ts';

/** How long the last messages may take to be stored after the window before what is missing counts as lost. */
export const DRAIN_MS = 60_000;
/** …and how long without any commit before the wait gives up early. */
const DRAIN_IDLE_MS = 15_000;

/** The envelope's seq, read from the JSON that signEnvelope writes ({"v":1,"device":…,"seq":N,…}). */
const SEQ = /"seq":(\d+)/;

/** Publish and commit times of one window's messages, keyed as the trigger names them: "device seq". */
export class StoredWatch {
  private readonly index = new Map<string, number>();
  readonly publishedAt: Float64Array;
  readonly storedAt: Float64Array;
  seen = 0;
  /** Pairs the notifications named that are not of this window (none expected). */
  strangers = 0;
  lastAt = 0;

  constructor(plan: readonly Planned[], ids: readonly string[]) {
    this.publishedAt = new Float64Array(plan.length).fill(Number.NaN);
    this.storedAt = new Float64Array(plan.length).fill(Number.NaN);
    for (const [i, p] of plan.entries()) {
      const m = SEQ.exec(p.payload.subarray(0, 120).toString('latin1'));
      if (m === null) throw new Error(`no seq in planned message ${i}`);
      this.index.set(`${ids[p.device]!} ${m[1]!}`, i);
    }
  }

  /** One notification's payload: "device seq,device seq,…". */
  onPairs(payload: string): void {
    const now = performance.now();
    this.lastAt = now;
    for (const pair of payload.split(',')) {
      const i = this.index.get(pair);
      if (i === undefined || !Number.isNaN(this.storedAt[i]!)) {
        this.strangers++;
        continue;
      }
      this.storedAt[i] = now;
      this.seen++;
    }
  }

  /** publish → stored of every stored message, sorted. */
  latencies(): Float64Array {
    const out = new Float64Array(this.seen);
    let k = 0;
    for (let i = 0; i < this.storedAt.length; i++) {
      const s = this.storedAt[i]!;
      if (!Number.isNaN(s)) out[k++] = s - this.publishedAt[i]!;
    }
    return out.subarray(0, k).sort();
  }
}

export interface WindowRun {
  sent: number;
  /** PUBACKs from mosquitto (the broker has it, not yet stored). */
  brokerAcked: number;
  /** Stored (committed) by the end of the window, and by the end of the drain. */
  storedInWindow: number;
  storedByDrain: number;
  drainS: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Worst lateness of the generator's own schedule (its event loop falling behind). */
  lateMs: number;
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** Publishes the plan on schedule over `windowMs`; `atWindowEnd` runs when the window closes, before the drain. */
export async function runWindow(fleet: Fleet, plan: readonly Planned[], windowMs: number, watch: StoredWatch, atWindowEnd: () => void): Promise<WindowRun> {
  let brokerAcked = 0;
  let next = 0;
  let lateMs = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now() - t0;
      while (next < plan.length && plan[next]!.at <= now) {
        const i = next++;
        const p = plan[i]!;
        lateMs = Math.max(lateMs, now - p.at);
        watch.publishedAt[i] = performance.now();
        fleet.clients[p.device]!.publish(p.topic, p.payload, { qos: 1 }, (err) => {
          if (!err) brokerAcked++;
        });
      }
      if (next < plan.length) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await new Promise((r) => setTimeout(r, Math.max(0, windowMs - (performance.now() - t0))));
  const storedInWindow = watch.seen;
  atWindowEnd();
  const d0 = performance.now();
  watch.lastAt = d0;
  while (watch.seen < plan.length && performance.now() - d0 < DRAIN_MS && performance.now() - watch.lastAt < DRAIN_IDLE_MS) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const got = watch.latencies();
  return {
    sent: plan.length, brokerAcked, storedInWindow, storedByDrain: watch.seen, drainS: (performance.now() - d0) / 1000,
    p50Ms: percentile(got, 0.5), p99Ms: percentile(got, 0.99), maxMs: percentile(got, 1), lateMs,
  };
}
