import { createServer, type Server, type Socket } from 'node:net';
import type { LevelRecord } from '@earshot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createInfluxLevelSink, type InfluxLevelSink } from '../../src/sinks/influx.ts';
import { influxTargetFromEnv } from '../../src/sinks/influx-config.ts';
import { LineBacklog } from '../../src/sinks/line-backlog.ts';
import { levelLine } from '../../src/sinks/level-lines.ts';
import { freePort, startVictoria, type Victoria } from './victoria.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function track(sink: InfluxLevelSink): InfluxLevelSink {
  cleanups.push(() => sink.close());
  return sink;
}

/** n consecutive 1 s records ending a few minutes ago (inside any retention). */
function records(n: number, startMs = Math.floor(Date.now() / 1000) * 1000 - 600_000): LevelRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    t: new Date(startMs + i * 1000).toISOString(),
    d: 1,
    LAeq: 40 + (i % 10),
    LCeq: 50,
    LZeq: 55,
    LAFmax: 48.25,
    LAFmin: 35,
    LASmax: 46,
    LCpeak: i === 0 ? null : 70,
  }));
}

async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const target = (url: string) => ({ url, token: 'test-token', org: 'earshot', bucket: 'levels' });

describe('configuration and line protocol', () => {
  it('is off with no variables, on with all four, and an error with some', () => {
    expect(influxTargetFromEnv({})).toBeNull();
    expect(influxTargetFromEnv({ INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_TOKEN: 't', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b' })).toEqual({ url: 'http://127.0.0.1:8086', token: 't', org: 'o', bucket: 'b' });
    expect(() => influxTargetFromEnv({ INFLUX_URL: 'http://127.0.0.1:8086' })).toThrow(expect.objectContaining({ code: 'EARSHOT_E_CONFIG_INVALID' }));
    expect(() => influxTargetFromEnv({ INFLUX_URL: 'not a url', INFLUX_TOKEN: 't', INFLUX_ORG: 'o', INFLUX_BUCKET: 'b' })).toThrow(/INFLUX_URL/);
  });

  it('writes one point per record, leaving silent levels out', () => {
    const r: LevelRecord = { t: '2026-03-02T10:00:00.000Z', d: 1, LAeq: 41.5, LCeq: null, LZeq: null, LAFmax: null, LAFmin: null, LASmax: null, LCpeak: null, clipped: 3 };
    expect(levelLine('mon-001', r)).toBe('earshot_levels,device=mon-001 LAeq=41.5,clipped=3i,d=1 1772445600000');
  });

  it('the backlog drops the oldest lines when full, and failed batches return to the front', () => {
    const b = new LineBacklog(3);
    for (const l of ['a', 'b', 'c', 'd']) b.push(l);
    expect(b.dropped).toBe(1);
    const batch = b.take(2);
    expect(batch).toEqual(['b', 'c']);
    b.push('e');
    b.push('f');
    b.returnToFront(batch); // room for none: both dropped
    expect(b.dropped).toBe(3);
    expect(b.take(10)).toEqual(['d', 'e', 'f']);
    b.push('g');
    b.returnToFront(['x', 'y']);
    expect(b.take(10)).toEqual(['x', 'y', 'g']);
  });
});

describe('against a real line-protocol server (victoria-metrics)', () => {
  it('mirrors level records through /api/v2/write', async () => {
    const vm: Victoria = await startVictoria(await freePort());
    cleanups.push(() => vm.stop());
    const sink = track(createInfluxLevelSink(target(vm.url), { batchSize: 100, flushIntervalMs: 50 }));
    const recs = records(250);
    sink.write('mon-001', recs);
    sink.write('mon-002', recs.slice(0, 10));
    await sink.flush();
    await until(() => sink.stats().written === 260); // a failed attempt (machine under load) is retried
    expect(sink.stats()).toMatchObject({ backlog: 0, dropped: 0 });
    await vm.forceFlush();
    const laeq = await vm.exportSeries('earshot_levels_LAeq{device="mon-001"}');
    expect(laeq).toHaveLength(1);
    expect(laeq[0]?.timestamps).toEqual(recs.map((r) => Date.parse(r.t)));
    expect(laeq[0]?.values).toEqual(recs.map((r) => r.LAeq));
    // The null LCpeak of the first record is absent, not -Infinity.
    const peak = await vm.exportSeries('earshot_levels_LCpeak{device="mon-001"}');
    expect(peak[0]?.timestamps).toHaveLength(249);
    expect(await vm.exportSeries('earshot_levels_LAeq{device="mon-002"}')).toHaveLength(1);
  });

  it('keeps the backlog while the server is down and delivers it, retrying, once it is up', async () => {
    const port = await freePort();
    const sink = track(createInfluxLevelSink(target(`http://127.0.0.1:${port}`), { flushIntervalMs: 20, minRetryDelayMs: 20, maxRetryDelayMs: 100 }));
    const recs = records(30);
    sink.write('mon-003', recs);
    await until(() => sink.stats().failedAttempts >= 2);
    expect(sink.stats()).toMatchObject({ written: 0, dropped: 0 });
    expect(sink.stats().backlog + sink.stats().inFlight).toBe(30);
    const vm = await startVictoria(port);
    cleanups.push(() => vm.stop());
    await until(() => sink.stats().written === 30);
    await vm.forceFlush();
    await until(async () => (await vm.exportSeries('earshot_levels_LAeq{device="mon-003"}'))[0]?.timestamps.length === 30);
  });
});

describe('never blocks ingest', () => {
  it('returns at once when the server hangs, bounds the backlog and counts what it drops', async () => {
    // A server that accepts connections and never answers.
    const sockets: Socket[] = [];
    const hang: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => hang.close(() => r()));
    });
    const port = (hang.address() as { port: number }).port;
    const sink = track(createInfluxLevelSink(target(`http://127.0.0.1:${port}`), { maxBacklog: 1_000, batchSize: 100, flushIntervalMs: 10, timeoutMs: 60_000 }));
    const batch = records(10);
    const t0 = performance.now();
    for (let i = 0; i < 1_000; i++) sink.write('mon-004', batch); // 10,000 records
    const elapsed = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
    const s = sink.stats();
    expect(elapsed).toBeLessThan(2_000);
    expect(s.inFlight).toBe(100);
    expect(s.backlog).toBe(1_000);
    expect(s.dropped).toBe(10_000 - 1_000 - 100);
    expect(s.written).toBe(0);
  });
});
