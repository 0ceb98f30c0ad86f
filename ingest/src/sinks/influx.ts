/**
 * Optional mirror of 1 s level records to InfluxDB 2.x / 3.x (its /api/v2/write
 * endpoint) through @influxdata/influxdb-client.
 *
 * `write` only formats lines and queues them in a bounded backlog: it never
 * waits on the network, so ingest is never held up. One batch is in flight at a
 * time; a failed batch goes back to the front of the backlog and is retried
 * after a doubling delay. When the backlog is full the oldest lines are dropped
 * and counted (`stats().dropped`), which the service reports in its status.
 * SQLite stays the store of record; this is a convenience copy for dashboards.
 */
import { InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import type { LevelRecord } from '@earshot/shared';
import { z } from 'zod';
import { parseInput } from '../cases/validate.ts';
import type { InfluxTarget } from './influx-config.ts';
import { LineBacklog } from './line-backlog.ts';
import { levelLine } from './level-lines.ts';

export const InfluxSinkOptions = z.object({
  /** Lines held at most while the server is slow or down (≈ 150 B each). */
  maxBacklog: z.number().int().min(1).max(10_000_000).default(200_000),
  batchSize: z.number().int().min(1).max(50_000).default(5_000),
  flushIntervalMs: z.number().int().min(10).max(60_000).default(1_000),
  timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  minRetryDelayMs: z.number().int().min(10).max(60_000).default(1_000),
  maxRetryDelayMs: z.number().int().min(10).max(600_000).default(60_000),
});
export type InfluxSinkOptions = z.input<typeof InfluxSinkOptions>;

export interface LevelSink {
  write(deviceId: string, records: readonly LevelRecord[]): void;
}

export interface InfluxSinkStats {
  readonly backlog: number;
  readonly inFlight: number;
  readonly written: number;
  readonly dropped: number;
  readonly failedAttempts: number;
  readonly lastError: string | null;
}

export interface InfluxLevelSink extends LevelSink {
  stats(): InfluxSinkStats;
  /** Sends until the backlog is empty or an attempt fails (for shutdown and tests). */
  flush(): Promise<void>;
  /**
   * Stops sending and gives up what is queued (call `flush` first, with your own
   * deadline, to send it). A request still in flight is left to its timeout.
   */
  close(): Promise<void>;
}

export function createInfluxLevelSink(target: InfluxTarget, options: InfluxSinkOptions = {}): InfluxLevelSink {
  const o = parseInput(InfluxSinkOptions, options, 'EARSHOT_E_CONFIG_INVALID');
  const api: WriteApi = new InfluxDB({ url: target.url, token: target.token, timeout: o.timeoutMs }).getWriteApi(target.org, target.bucket, 'ms', {
    // Batching, retries and the backlog are ours: the client sends exactly one batch per flush.
    batchSize: o.batchSize + 1,
    flushInterval: 0,
    maxRetries: 0,
    // Returning a promise makes the client reject flush() instead of logging to the console.
    writeFailed: (error: Error) => Promise.reject(error),
  });
  const backlog = new LineBacklog(o.maxBacklog);
  let inFlight: Promise<boolean> | null = null;
  let inFlightLines = 0;
  let written = 0;
  let failedAttempts = 0;
  let consecutiveFailures = 0;
  let retryAt = 0;
  let lastError: string | null = null;
  let closed = false;

  function sendBatch(): Promise<boolean> {
    const batch = backlog.take(o.batchSize);
    inFlightLines = batch.length;
    api.writeRecords(batch);
    const p = api.flush().then(
      () => {
        written += batch.length;
        consecutiveFailures = 0;
        return true;
      },
      (e: unknown) => {
        backlog.returnToFront(batch);
        failedAttempts++;
        consecutiveFailures++;
        lastError = e instanceof Error ? e.message : String(e);
        retryAt = Date.now() + Math.min(o.maxRetryDelayMs, o.minRetryDelayMs * 2 ** (consecutiveFailures - 1));
        return false;
      },
    );
    inFlight = p.finally(() => {
      inFlight = null;
      inFlightLines = 0;
    });
    return inFlight;
  }

  /** Starts a send when none is running and no retry delay is pending. */
  function pump(): void {
    if (closed || inFlight !== null || backlog.size === 0 || Date.now() < retryAt) return;
    void sendBatch().then((ok) => {
      if (ok && backlog.size >= o.batchSize) pump();
    });
  }

  const timer = setInterval(pump, o.flushIntervalMs);
  timer.unref();

  return {
    write(deviceId, records) {
      if (closed) return;
      for (const r of records) {
        const line = levelLine(deviceId, r);
        if (line !== undefined) backlog.push(line);
      }
      if (backlog.size >= o.batchSize) pump();
    },
    stats: () => ({ backlog: backlog.size, inFlight: inFlightLines, written, dropped: backlog.dropped, failedAttempts, lastError }),
    async flush() {
      for (;;) {
        // The timer's pump may start a send as one finishes: wait until none is running.
        while (inFlight !== null) await inFlight;
        if (backlog.size === 0 || closed) return;
        if (!(await sendBatch())) return;
      }
    },
    async close() {
      closed = true;
      clearInterval(timer);
      api.dispose();
    },
  };
}
