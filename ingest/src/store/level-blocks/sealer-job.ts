/**
 * The service's background sealing of level blocks (seal-blocks.ts), off the
 * ingest path, in three tiers so that a fleet's hours are not all looked at
 * every minute (10,000 monitors × a week is 10 M rollup rows):
 * - every minute, the last RECENT_MS: the hours just over;
 * - every hour, the last week (LOOKBACK_MS): late records from a monitor's
 *   journal drop blocks that far back;
 * - a minute after the service starts (readmitting the monitors comes first),
 *   and once a day, every hour there is.
 * A pass seals one hour per transaction and gives the event loop back after
 * every `sliceMs` of work, the looking included, so the broker and the pipeline
 * never wait on it for more than about one hour's blocks (3 600 level rows and,
 * with bands, 3 600 band rows read: ~15 ms, ~22 ms with bands). An export seals its own case's missing hours first (export/seal-case-hours.ts),
 * so a block the job has not reached yet is never missed, only built then.
 *
 * On either store (seal-blocks.ts BlockSealer). Beside PostgreSQL only the
 * holder of the `level-blocks` lease seals (`held`: storage/postgres/lease.ts);
 * a process that takes the lease over makes its next pass a full one.
 */
import { type BlockSealer, sealableBefore } from './seal-blocks.ts';
import { HOUR_MS } from './migrations.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far back the minutely pass looks. */
export const RECENT_MS = 3 * HOUR_MS;
/** How far back the hourly pass looks. */
export const LOOKBACK_MS = 7 * DAY_MS;
/** Hours fetched per query. */
const PAGE = 64;

export interface SealReport {
  /** Hours sealed and the records they pack. */
  readonly hours: number;
  readonly records: number;
  /** Whether the pass went back to the first hour. */
  readonly full: boolean;
}

export interface SealPassOptions {
  readonly nowMs: number;
  /** Only hours from here on (default: all). */
  readonly fromMs?: number;
  /** Give the event loop back after this much work (default: never). */
  readonly sliceMs?: number;
  /** Asked between hours: stop the pass when true. */
  readonly stopped?: () => boolean;
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Seals `device`'s hours in [fromMs, toMs) that want a block (cut to the last sealable hour), oldest first. */
export async function sealRange(sealer: BlockSealer, device: string, fromMs: number, toMs: number, o: SealPassOptions, report: { hours: number; records: number } = { hours: 0, records: 0 }): Promise<{ hours: number; records: number }> {
  const to = Math.min(toMs, sealableBefore(o.nowMs));
  // Whole hours only: the rollups' ten-minute rows of one hour are summed together.
  let from = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  let sliceStart = performance.now();
  while (from < to) {
    const page = await sealer.pending(device, from, to, PAGE);
    if (o.sliceMs !== undefined && performance.now() - sliceStart >= o.sliceMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
    for (const h of page) {
      if (o.stopped?.() === true) return report;
      report.records += await sealer.seal(h, o.nowMs);
      report.hours++;
      if (o.sliceMs !== undefined && performance.now() - sliceStart >= o.sliceMs) {
        await yieldToLoop();
        sliceStart = performance.now();
      }
    }
    if (page.length < PAGE) break;
    from = page[page.length - 1]!.hourMs + HOUR_MS;
  }
  return report;
}

/** One pass: every device's hours from `fromMs` (default: all) to the last sealable hour that want a block. */
export async function sealPass(sealer: BlockSealer, o: SealPassOptions): Promise<SealReport> {
  const report = { hours: 0, records: 0 };
  const devices = await sealer.devices();
  if (o.sliceMs !== undefined) await yieldToLoop();
  for (const device of devices) {
    if (o.stopped?.() === true) break;
    await sealRange(sealer, device, o.fromMs ?? 0, Number.POSITIVE_INFINITY, o, report);
  }
  return { ...report, full: o.fromMs === undefined };
}

export interface LevelBlockSealerJob {
  /** Resolves when the pass in progress (if any) has stopped. */
  stop(): Promise<void>;
}

export interface SealerJobOptions {
  /** The minutely pass's period (default a minute); the hourly and daily passes are counted in these. */
  readonly everyMs?: number;
  /** The first pass (a full one) this long after the start (default a minute). */
  readonly firstAfterMs?: number;
  readonly sliceMs?: number;
  readonly now?: () => number;
  /** Whether this process seals (default: always); asked before each pass and between hours. */
  readonly held?: () => boolean;
  readonly onReport?: (r: SealReport) => void;
  readonly onError?: (e: unknown) => void;
}

export function startLevelBlockSealer(sealer: BlockSealer, options: SealerJobOptions = {}): LevelBlockSealerJob {
  const now = options.now ?? Date.now;
  const everyMs = options.everyMs ?? MINUTE_MS;
  let stopped = false;
  let lastFull = Number.NEGATIVE_INFINITY;
  let lastWeek = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const held = options.held ?? (() => true);
  const run = async (): Promise<void> => {
    if (!held()) {
      // Not this process's job now; whenever it becomes so, the first pass goes back to the first hour.
      lastFull = lastWeek = Number.NEGATIVE_INFINITY;
      if (!stopped) schedule(everyMs);
      return;
    }
    const nowMs = now();
    const full = nowMs - lastFull >= DAY_MS;
    const week = !full && nowMs - lastWeek >= HOUR_MS;
    try {
      const report = await sealPass(sealer, {
        nowMs,
        ...(full ? {} : { fromMs: nowMs - (week ? LOOKBACK_MS : RECENT_MS) }),
        sliceMs: options.sliceMs ?? 20,
        stopped: () => stopped || !held(),
      });
      const whole = !stopped && held();
      if (full && whole) lastFull = lastWeek = nowMs;
      if (week && whole) lastWeek = nowMs;
      if (report.hours > 0) options.onReport?.(report);
    } catch (e) {
      if (!stopped) options.onError?.(e);
    }
    if (!stopped) schedule(everyMs);
  };
  const schedule = (ms: number): void => {
    timer = setTimeout(() => {
      running = run();
    }, ms);
    timer.unref();
  };
  schedule(options.firstAfterMs ?? MINUTE_MS);
  return {
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}
