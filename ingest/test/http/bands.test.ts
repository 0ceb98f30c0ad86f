/**
 * The band routes (issue 16) on the real app over a real SQLite store: the
 * 1/3-octave bands per bucket of the level chart are the energy means of the
 * seconds in each bucket, worked out here from the levels sent — through the
 * raw records at fine steps and the ten-minute sums at coarse ones, with a
 * period cutting a block — on the same buckets as the level timeline; an
 * event's spectrum against the 5 quiet minutes before it; and every bad
 * request answered with its code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createEvidenceRows } from '../../src/store/evidence-rows.ts';
import { levelBandsMigrations } from '../../src/store/level-bands-migrations.ts';
import { createLevelBandsWriter } from '../../src/store/level-bands.ts';
import { quietBefore } from '../../src/timeline/quiet-before.ts';
import { DEVICE, EVENT_AT, EVENT_ID, type HttpFixture, LEVEL_SECONDS, OTHER_REF, REF, T0, makeHttpFixture } from './fixture.ts';

let f: HttpFixture;
afterEach(async () => f?.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (url: string, token: string | null) => f.http.app.inject({ method: 'GET', url, headers: token === null ? {} : auth(token) });
const iso = (ms: number): string => new Date(ms).toISOString();
const BANDS = 31; // 10 Hz … 10 kHz

/** The band levels (0.1 dB) the monitor sent for second `t`: a ramp within each minute, bass 20 dB up during the event. */
function dB10At(t: number, k: number): number | null {
  const i = (t - T0) / 1000;
  if (k === 30 && i % 4 === 0) return null; // the top band silent every fourth second
  const loud = t >= EVENT_AT && t < EVENT_AT + 120_000 && k <= 12 ? 200 : 0;
  return 250 + (i % 60) * 7 + ((k * 13) % 90) + loud;
}

/** Energy mean over the seconds [from, to), to 0.1 dB: the reference, from dB10At alone. */
function expected(from: number, to: number, k: number): number | null {
  let e = 0;
  let n = 0;
  for (let t = from; t < to; t += 1000) {
    if (t < T0 || t >= T0 + LEVEL_SECONDS * 1000) continue;
    const v = dB10At(t, k);
    if (v === null) continue;
    e += 10 ** (v / 100);
    n += 1;
  }
  return n === 0 ? null : Math.round(100 * Math.log10(e / n)) / 10;
}

async function withBands(): Promise<string> {
  f = await makeHttpFixture();
  migrate(f.db, levelBandsMigrations);
  const w = createLevelBandsWriter(f.db)!;
  f.db.transaction(() => {
    for (let t = T0; t < T0 + LEVEL_SECONDS * 1000; t += 1000) {
      w.add(DEVICE, t, 1, { f0: '10', dB10: Array.from({ length: BANDS }, (_, k) => dB10At(t, k)) });
      if ((t - T0) % 10_000 === 9_000) w.end();
    }
    w.end();
  })();
  return f.login('jsmith');
}

interface BandsOut { bucket: { stepSeconds: number; t: number[] }; bands: string[]; devices: { deviceId: string; levels: ((number | null)[] | null)[] }[] }

describe('GET /api/cases/:ref/bands', () => {
  const url = (from: number, to: number, width: number) => `/api/cases/${REF}/bands?from=${iso(from)}&to=${iso(to)}&width=${width}`;

  it('gives each bucket the energy mean of each band over its seconds, on the level chart\'s buckets (raw records)', async () => {
    const token = await withBands();
    const from = T0 + 3_600_000 - 300_000;
    const to = T0 + 3_600_000 + 600_000;
    const r = await get(url(from, to, 100), token);
    expect(r.statusCode).toBe(200);
    const out = r.json() as BandsOut;
    const tl = (await get(`/api/cases/${REF}/timeline?from=${iso(from)}&to=${iso(to)}&width=100`, token)).json() as { bucket: BandsOut['bucket'] };
    expect(out.bucket).toEqual(tl.bucket);
    expect(out.bucket.stepSeconds).toBe(10);
    expect(out.bands).toEqual(['10', '12.5', '16', '20', '25', '31.5', '40', '50', '63', '80', '100', '125', '160', '200', '250', '315', '400', '500', '630', '800', '1000', '1250', '1600', '2000', '2500', '3150', '4000', '5000', '6300', '8000', '10000']);
    expect(out.devices.map((d) => d.deviceId)).toEqual([DEVICE]);
    const rows = out.devices[0]!.levels;
    expect(rows).toHaveLength(out.bucket.t.length);
    out.bucket.t.forEach((t, b) => {
      const want = Array.from({ length: BANDS }, (_, k) => expected(t, t + 10_000, k));
      expect(rows[b], iso(t)).toEqual(want);
    });
    // Energy, not dB, is averaged: a bucket's level is above the arithmetic mean of its seconds' levels.
    const arithmetic = Array.from({ length: 10 }, (_, s) => dB10At(out.bucket.t[0]! + s * 1000, 0)! / 10).reduce((a, v) => a + v, 0) / 10;
    expect(rows[0]![0]!).toBeGreaterThan(arithmetic + 0.3);
    // The event's bass shows, its treble does not.
    const atEvent = out.bucket.t.indexOf(EVENT_AT);
    // (against the same ten seconds of the minute before)
    expect(rows[atEvent]![0]! - rows[atEvent - 6]![0]!).toBeCloseTo(20, 5);
    expect(rows[atEvent]![20]! - rows[atEvent - 6]![20]!).toBeCloseTo(0, 5);
  });

  it('reads whole ten-minute blocks from their sums and the ragged ends from the records, with the same result', async () => {
    const token = await withBands();
    // 20-minute buckets from 22:00; the period starts at 22:03 and ends at 00:47, cutting blocks at both ends.
    const from = T0 + 3 * 60_000;
    const to = T0 + 2 * 3_600_000 + 47 * 60_000;
    const out = (await get(url(from, to, 9), token)).json() as BandsOut;
    expect(out.bucket.stepSeconds).toBe(1200);
    const rows = out.devices[0]!.levels;
    out.bucket.t.forEach((t, b) => {
      const want = Array.from({ length: BANDS }, (_, k) => expected(Math.max(t, from), Math.min(t + 1_200_000, to), k));
      expect(rows[b], iso(t)).toEqual(want);
    });
    // The sums answered: deleting the records inside whole blocks changes nothing.
    f.db.prepare('DELETE FROM level_bands WHERE t >= ? AND t < ?').run(T0 + 10 * 60_000, T0 + 2 * 3_600_000 + 40 * 60_000);
    expect(((await get(url(from, to, 9), token)).json() as BandsOut).devices[0]!.levels).toEqual(rows);
  });

  it('answers a period without bands with no bands and null rows, and a store without band tables likewise', async () => {
    const token = await withBands();
    const out = (await get(url(T0 + 5 * 3_600_000, T0 + 6 * 3_600_000, 60), token)).json() as BandsOut;
    expect(out.bands).toEqual([]);
    expect(out.devices[0]!.levels.every((r) => r === null)).toBe(true);
    await f.close();
    f = await makeHttpFixture();
    const plain = (await get(url(T0, T0 + 3_600_000, 60), await f.login('jsmith'))).json() as BandsOut;
    expect(plain.bands).toEqual([]);
    expect(plain.devices[0]!.levels).toHaveLength(60);
  });

  it('refuses bad queries, other officers\' cases and strangers with their codes', async () => {
    const token = await withBands();
    const cases: [string, string | null, number, string][] = [
      [`/api/cases/${REF}/bands?from=yesterday&to=${iso(T0)}`, token, 400, 'EARSHOT_E_HTTP_BAD_REQUEST'],
      [`/api/cases/${REF}/bands?from=${iso(T0)}`, token, 400, 'EARSHOT_E_HTTP_BAD_REQUEST'],
      [url(T0, T0 + 3_600_000, 4001), token, 400, 'EARSHOT_E_HTTP_BAD_REQUEST'],
      [url(T0, T0 + 3_600_000, 0), token, 400, 'EARSHOT_E_HTTP_BAD_REQUEST'],
      [`${url(T0, T0 + 3_600_000, 10)}&extra=1`, token, 400, 'EARSHOT_E_HTTP_BAD_REQUEST'],
      [url(T0 + 3_600_000, T0, 10), token, 400, 'EARSHOT_E_HTTP_PERIOD_INVALID'],
      [url(T0, T0 + 500 * 86_400_000, 10), token, 400, 'EARSHOT_E_HTTP_PERIOD_INVALID'],
      [`/api/cases/${OTHER_REF}/bands?from=${iso(T0)}&to=${iso(T0 + 60_000)}`, token, 404, 'EARSHOT_E_CASE_NOT_FOUND'],
      [`/api/cases/ASB-2026-9999/bands?from=${iso(T0)}&to=${iso(T0 + 60_000)}`, token, 404, 'EARSHOT_E_CASE_NOT_FOUND'],
      [url(T0, T0 + 3_600_000, 10), null, 401, 'EARSHOT_E_HTTP_UNAUTHENTICATED'],
    ];
    for (const [u, t, status, code] of cases) {
      const r = await get(u, t);
      expect({ u, status: r.statusCode, code: (r.json() as { code: string }).code }).toEqual({ u, status, code });
    }
  });

  it('logs each reading in the access log', async () => {
    const token = await withBands();
    await get(url(T0, T0 + 3_600_000, 60), token);
    const rows = f.db.prepare<[], { action: string; case_ref: string; target: string }>('SELECT action, case_ref, target FROM access_log ORDER BY id').all();
    expect(rows.at(-1)).toEqual({ action: 'timeline', case_ref: REF, target: `bands ${iso(T0)}/${iso(T0 + 3_600_000)}` });
  });
});

describe('GET /api/cases/:ref/events/:device/:eventId/spectrum', () => {
  const url = (eventId: string, device = DEVICE, ref = REF) => `/api/cases/${ref}/events/${device}/${eventId}/spectrum`;

  it('gives the event\'s average spectrum against the 5 quiet minutes before it', async () => {
    const token = await withBands();
    const r = await get(url(EVENT_ID), token);
    expect(r.statusCode).toBe(200);
    const out = r.json() as { bands: string[]; event: { from: string; to: string; seconds: number; levels: (number | null)[] }; background: { from: string; to: string; seconds: number; levels: (number | null)[] }; backgroundRule: string; ruleType: string };
    expect(out.bands).toHaveLength(BANDS);
    expect(out.ruleType).toBe('absolute');
    expect(out.event).toEqual({ from: iso(EVENT_AT), to: iso(EVENT_AT + 120_000), seconds: 120, levels: Array.from({ length: BANDS }, (_, k) => expected(EVENT_AT, EVENT_AT + 120_000, k)) });
    expect(out.background).toEqual({ from: iso(EVENT_AT - 300_000), to: iso(EVENT_AT), seconds: 300, levels: Array.from({ length: BANDS }, (_, k) => expected(EVENT_AT - 300_000, EVENT_AT, k)) });
    expect(out.backgroundRule).toContain('5 minutes');
    expect(out.event.levels[0]! - out.background.levels[0]!).toBeGreaterThan(15);
  });

  it('reaches back past another event of the monitor for its background', async () => {
    const token = await withBands();
    // Another event from 4 to 2 minutes before: the background is 2 minutes before the event and the 3 before the other.
    const rows = createEvidenceRows(f.db);
    const meta = (seq: number, t: number) => ({ device: DEVICE, seq, deviceTime: t, receivedAt: t, clock: { synced: true, offsetMs: 0, flag: null }, envelope: Buffer.from(`{"seq":${seq}}`), signature: Buffer.alloc(64) });
    const a = EVENT_AT - 240_000;
    const b = EVENT_AT - 120_000;
    rows.insertEvent(meta(200, b), { kind: 'ended', eventId: 'other-event', ruleId: 'loud', ruleType: 'absolute', startedAt: iso(a), endedAt: iso(b), durationSeconds: 120, LAeq: 60, LAFmax: 65, LCminusLA: 3, backgroundLAF90: 35, threshold: 55, clipIds: [] });
    rows.setAttachment('events', DEVICE, 200, REF, null);
    const out = (await get(url(EVENT_ID), token)).json() as { backgroundIntervals: { from: number; to: number }[]; background: { seconds: number; levels: (number | null)[] } };
    expect(out.backgroundIntervals).toEqual([{ from: a - 180_000, to: a }, { from: b, to: EVENT_AT }]);
    expect(out.background.seconds).toBe(300);
    // Energy mean over the union of the two intervals.
    const k = 5;
    let e = 0;
    let n = 0;
    for (const [x, y] of [[a - 180_000, a], [b, EVENT_AT]] as const) {
      for (let t = x; t < y; t += 1000) {
        e += 10 ** (dB10At(t, k)! / 100);
        n++;
      }
    }
    expect(out.background.levels[k]).toBe(Math.round(100 * Math.log10(e / n)) / 10);
  });

  it('answers an event not in the case, a bad id and another officer\'s case with their codes', async () => {
    const token = await withBands();
    for (const [u, status, code] of [
      [url('no-such-event'), 404, 'EARSHOT_E_HTTP_NOT_FOUND'],
      [url(EVENT_ID, 'mon-002'), 404, 'EARSHOT_E_HTTP_NOT_FOUND'],
      [url('bad%20id'), 400, 'EARSHOT_E_HTTP_BAD_REQUEST'],
      [url(EVENT_ID, 'Not_A_Device'), 400, 'EARSHOT_E_HTTP_BAD_REQUEST'],
      [url(EVENT_ID, DEVICE, OTHER_REF), 404, 'EARSHOT_E_CASE_NOT_FOUND'],
    ] as const) {
      const r = await get(u, token);
      expect({ u, status: r.statusCode, code: (r.json() as { code: string }).code }).toEqual({ u, status, code });
    }
  });
});

describe('the quiet time before an event', () => {
  const M = 60_000;
  it('is the 5 minutes before the start when nothing else ran', () => {
    expect(quietBefore(100 * M, [{ from: 0, to: 200 * M }], [])).toEqual([{ from: 95 * M, to: 100 * M }]);
  });
  it('skips other events, even overlapping ones, and time outside the deployment', () => {
    const busy = [{ from: 97 * M, to: 98 * M }, { from: 90 * M, to: 93 * M }, { from: 91 * M, to: 94 * M }];
    expect(quietBefore(100 * M, [{ from: 0, to: 200 * M }], busy)).toEqual([{ from: 94 * M, to: 97 * M }, { from: 98 * M, to: 100 * M }]);
    expect(quietBefore(100 * M, [{ from: 0, to: 200 * M }], [...busy, { from: 95 * M, to: 96 * M }])).toEqual([{ from: 89 * M, to: 90 * M }, { from: 94 * M, to: 95 * M }, { from: 96 * M, to: 97 * M }, { from: 98 * M, to: 100 * M }]);
    expect(quietBefore(100 * M, [{ from: 0, to: 96 * M }, { from: 99 * M, to: 200 * M }], [])).toEqual([{ from: 92 * M, to: 96 * M }, { from: 99 * M, to: 100 * M }]);
  });
  it('stops at the look-back limit, an event covering the start, or the deployment\'s start', () => {
    expect(quietBefore(100 * M, [{ from: 0, to: 200 * M }], [{ from: 42 * M, to: 99 * M }])).toEqual([{ from: 40 * M, to: 42 * M }, { from: 99 * M, to: 100 * M }]);
    expect(quietBefore(100 * M, [{ from: 0, to: 200 * M }], [{ from: 20 * M, to: 101 * M }])).toEqual([]);
    expect(quietBefore(100 * M, [{ from: 98 * M, to: 200 * M }], [])).toEqual([{ from: 98 * M, to: 100 * M }]);
  });
});
