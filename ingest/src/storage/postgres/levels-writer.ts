/**
 * The PostgreSQL levels writer: stores exactly what SQLite's levels writer
 * stores (store/levels.ts) — the 1 s records, the 1/3-octave bands of the new
 * ones (store/level-bands.ts), their minute and ten-minute rollups and
 * histograms (timeline/rollup-batch.ts) and band sums, and drops the level
 * block (and band block) of every hour a new record lands in
 * (store/level-blocks/invalidate.ts)
 * — for a whole batch of messages in two statements, in the caller's
 * transaction (the caller holds BEGIN … COMMIT):
 *
 * 1. insert every record and the bands of those stored (ON CONFLICT DO
 *    NOTHING: a record already stored is kept as it was), and lock and read
 *    the rollup rows and band blocks the batch's records may add to;
 * 2. write those rows — summed here exactly as SQLite sums them
 *    (rollup-partials.ts, band-sums.ts), so both stores hold the same
 *    doubles — and drop the hours' level blocks.
 *
 * Issue 16: on PostgreSQL the rollups were kept by a PL/pgSQL trigger running
 * four upserts per record; pg-timeline-002 drops it (as SQLite's timeline-002
 * did), keeping the delete trigger for the retention purge.
 */
import type pg from 'pg';
import { HOUR_MS } from '../../store/level-blocks/migrations.ts';
import { BAND_ROLLUP_MS } from '../../store/level-bands-migrations.ts';
import { ROLLUP_TIERS } from '../../timeline/migrations.ts';
import { type BandBlockKey, addBandRow, bandBlockPartials, emptyBandRows, foldBandBlock, type StoredBandBlock } from './band-sums.ts';
import { type LevelsItem, firstOfKey, levelColumns, storedRows } from './levels-columns.ts';
import { LOCK_BAND_BLOCKS, PUT_BAND_BLOCKS, ROW, TIERS, storeLevelsSql, writeRollupsSql } from './levels-sql.ts';
import { byteaArray, numberArray, textArray } from './pg-array-literals.ts';
import { type BucketSums, foldBin, foldBucket, rollupPartials } from './rollup-partials.ts';

export type { LevelsItem } from './levels-columns.ts';

export interface PgLevelsWriter {
  /** Stores every record of every item in the caller's transaction; returns per item how many records were new. */
  write(client: pg.ClientBase, items: readonly LevelsItem[]): Promise<number[]>;
}

const STORE_LEVELS = storeLevelsSql();
const WRITE_ROLLUPS = writeRollupsSql(false);
const WRITE_ROLLUPS_BAND_BLOCKS = writeRollupsSql(true);

type Row = unknown[];

async function run(client: pg.ClientBase, name: string, text: string, values: unknown[]): Promise<Row[]> {
  return (await client.query<Row>({ name, text, values, rowMode: 'array' })).rows;
}

const key2 = (device: string, start: number): string => `${device}\u0000${start}`;
const key3 = (device: string, start: number, bin: number): string => `${device}\u0000${start}\u0000${bin}`;

/** Sorted by key, so every writer locks and writes rows in one order. */
function byKey<T extends { device: string; start: number; bin?: number }>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : a.start - b.start || (a.bin ?? 0) - (b.bin ?? 0)));
}

interface Key { device: string; start: number; bin?: number }

export function createPgLevelsWriter(): PgLevelsWriter {
  // Whether the store has band blocks (pg-band-blocks-001), asked once: every connection sees the schema migrated at open.
  let bandBlockTable: boolean | undefined;
  return {
    async write(client, items) {
      const counts = new Array<number>(items.length).fill(0);
      const c = levelColumns(items);
      if (c.t.length === 0) return counts;
      const first = firstOfKey(c.device, c.t);

      // The rows the batch may add to (those of its first record of each key), and the bands it may store.
      const buckets = ROLLUP_TIERS.map(() => new Map<string, Key>());
      const bins = ROLLUP_TIERS.map(() => new Map<string, Key>());
      const bandBlockKeys = new Map<string, Key>();
      const bands = emptyBandRows();
      let i = 0;
      // Per tier, the bucket last seen and the bins seen in it (a message's records run in time order: few keys).
      const last = ROLLUP_TIERS.map(() => ({ device: '', start: Number.NaN, bins: new Set<number>() }));
      let lastBandBlock = '';
      items.forEach(({ device, body }, k) => {
        for (const r of body.records) {
          if (first[i]) {
            const t = c.t[i]!;
            for (let j = 0; j < TIERS; j++) {
              const ms = ROLLUP_TIERS[j]!.ms;
              const start = t - (t % ms);
              const l = last[j]!;
              if (start !== l.start || device !== l.device) {
                buckets[j]!.set(key2(device, start), { device, start });
                l.device = device;
                l.start = start;
                l.bins.clear();
              }
              if (r.LAeq !== null) {
                const bin = Math.floor(r.LAeq);
                if (!l.bins.has(bin)) {
                  l.bins.add(bin);
                  bins[j]!.set(key3(device, start, bin), { device, start, bin });
                }
              }
            }
            if (r.Z3 !== undefined) {
              addBandRow(bands, k, device, t, r.d, r.Z3);
              const start = t - (t % BAND_ROLLUP_MS);
              const bk = key2(device, start);
              if (bk !== lastBandBlock) bandBlockKeys.set((lastBandBlock = bk), { device, start });
            }
          }
          i += 1;
        }
      });
      const values: string[] = [
        numberArray(c.t), textArray(c.device), numberArray(c.d), numberArray(c.laeq), numberArray(c.lceq), numberArray(c.lzeq),
        numberArray(c.lafmax), numberArray(c.lafmin), numberArray(c.lasmax), numberArray(c.lcpeak), numberArray(c.clipped),
        numberArray(c.silent), numberArray(c.n), numberArray(c.fullScaleDb), numberArray(c.seq),
        numberArray(bands.t), textArray(bands.device), numberArray(bands.d), textArray(bands.f0), byteaArray(bands.data),
        String(c.t.length), String(bands.t.length),
      ];
      for (const m of buckets) {
        const ks = byKey([...m.values()]);
        values.push(textArray(ks.map((x) => x.device)), numberArray(ks.map((x) => x.start)));
      }
      for (const m of bins) {
        const ks = byKey([...m.values()]);
        values.push(textArray(ks.map((x) => x.device)), numberArray(ks.map((x) => x.start)), numberArray(ks.map((x) => x.bin!)));
      }
      const bks = byKey([...bandBlockKeys.values()]);
      values.push(textArray(bks.map((x) => x.device)), numberArray(bks.map((x) => x.start)));

      // 1. Store; lock and read.
      const rows = await run(client, 'earshot_levels_store', STORE_LEVELS, values);
      let levelCount = 0;
      let bandCount = 0;
      const levelKeys: [number, string][] = [];
      const bandKeys: [number, string][] = [];
      const storedBuckets = ROLLUP_TIERS.map(() => new Map<string, BucketSums>());
      const storedBins = ROLLUP_TIERS.map(() => new Map<string, number>());
      const storedBands = new Map<string, StoredBandBlock>();
      for (const r of rows) {
        const w = Number(r[0]);
        if (w === ROW.counts) {
          levelCount = Number(r[2]);
          bandCount = Number(r[3]);
        } else if (w === ROW.level) levelKeys.push([Number(r[2]), String(r[1])]);
        else if (w === ROW.band) bandKeys.push([Number(r[2]), String(r[1])]);
        else if (w < TIERS) storedBuckets[w]!.set(key2(String(r[1]), Number(r[2])), { seconds: r[4] as number, energy: r[5] as number, records: Number(r[6]), silent: Number(r[7]), lafmax: r[8] as number | null, lafmin: r[9] as number | null });
        else if (w < 2 * TIERS) storedBins[w - TIERS]!.set(key3(String(r[1]), Number(r[2]), Number(r[3])), r[4] as number);
        else storedBands.set(key2(String(r[1]), Number(r[2])), { records: Number(r[6]), energy: r[10] as Buffer, seconds: r[11] as Buffer });
      }
      if (levelCount === 0) return counts;
      const stored = storedRows(c.device, c.t, levelCount, levelKeys);
      const bandsStored = storedRows(bands.device, bands.t, bandCount, bandKeys);

      // The new records, message by message, as SQLite's writer takes them.
      const rollups = rollupPartials();
      const hours = new Map<string, Key>();
      let lastHour = Number.NaN;
      let lastHourDevice = '';
      i = 0;
      items.forEach(({ device, body }, k) => {
        rollups.begin(device);
        for (const r of body.records) {
          if (stored[i]) {
            const t = c.t[i]!;
            counts[k]! += 1;
            rollups.add(t, r.d, r.LAeq, c.silent[i]!, r.LAFmax, r.LAFmin);
            const h = t - (t % HOUR_MS);
            if (h !== lastHour || device !== lastHourDevice) {
              hours.set(key2(device, h), { device, start: h });
              lastHour = h;
              lastHourDevice = device;
            }
          }
          i += 1;
        }
        rollups.end();
      });
      const bandBlocks = bandBlockPartials(bands, bandsStored);

      // 2. The sums, added as SQLite adds them, and the level blocks of the hours written to.
      const out: string[] = [];
      rollups.tiers.forEach(({ partials }, tier) => {
        const fresh: BucketRow[] = [];
        const old: BucketRow[] = [];
        for (const b of partials.buckets.values()) {
          const s = storedBuckets[tier]!.get(key2(b.device, b.start));
          (s === undefined ? fresh : old).push({ device: b.device, start: b.start, sums: foldBucket(s, b.parts) });
        }
        out.push(...bucketArrays(fresh), ...bucketArrays(old));
      });
      rollups.tiers.forEach(({ partials }, tier) => {
        const fresh: BinRow[] = [];
        const old: BinRow[] = [];
        for (const b of partials.bins.values()) {
          const s = storedBins[tier]!.get(key3(b.device, b.start, b.bin));
          (s === undefined ? fresh : old).push({ device: b.device, start: b.start, bin: b.bin, seconds: foldBin(s, b.parts) });
        }
        out.push(...binArrays(fresh), ...binArrays(old));
      });
      const freshBands: BandBlockRow[] = [];
      const oldBands: BandBlockRow[] = [];
      for (const b of bandBlocks.values()) {
        const s = storedBands.get(key2(b.device, b.start));
        (s === undefined ? freshBands : oldBands).push({ device: b.device, start: b.start, ...foldBandBlock(s, b.parts) });
      }
      out.push(...bandBlockArrays(freshBands), ...bandBlockArrays(oldBands));
      const h = byKey([...hours.values()]);
      out.push(textArray(h.map((x) => x.device)), numberArray(h.map((x) => x.start)));
      bandBlockTable ??= (await client.query<{ b: boolean }>("SELECT to_regclass('band_blocks') IS NOT NULL AS b")).rows[0]!.b;
      const inserted = bandBlockTable
        ? await run(client, 'earshot_level_rollups_write_bb', WRITE_ROLLUPS_BAND_BLOCKS, out)
        : await run(client, 'earshot_level_rollups_write', WRITE_ROLLUPS, out);
      if (inserted.length < freshBands.length) await addToRacedBandBlocks(client, inserted, freshBands.map((b) => bandBlocks.get(key2(b.device, b.start))!));
      return counts;
    },
  };
}

/**
 * Band blocks another writer made between the lock and the write (not there when locked, there when inserted):
 * locked now, and this batch's partials added to what that writer stored.
 */
async function addToRacedBandBlocks(client: pg.ClientBase, inserted: readonly Row[], fresh: readonly BandBlockKey[]): Promise<void> {
  const made = new Set(inserted.map((r) => key2(String(r[0]), Number(r[1]))));
  const lost = byKey(fresh.filter((b) => !made.has(key2(b.device, b.start))));
  const now = await run(client, 'earshot_level_band_blocks_lock', LOCK_BAND_BLOCKS, [textArray(lost.map((b) => b.device)), numberArray(lost.map((b) => b.start))]);
  const stored = new Map(now.map((r) => [key2(String(r[0]), Number(r[1])), { records: Number(r[2]), energy: r[3] as Buffer, seconds: r[4] as Buffer }]));
  const rows = lost.map((b) => ({ device: b.device, start: b.start, ...foldBandBlock(stored.get(key2(b.device, b.start)), b.parts) }));
  await run(client, 'earshot_level_band_blocks_put', PUT_BAND_BLOCKS, bandBlockArrays(rows));
}

interface BucketRow { device: string; start: number; sums: BucketSums }
interface BinRow { device: string; start: number; bin: number; seconds: number }
interface BandBlockRow { device: string; start: number; records: number; energy: Buffer; seconds: Buffer }

function bucketArrays(rows: BucketRow[]): string[] {
  byKey(rows);
  return [
    textArray(rows.map((r) => r.device)), numberArray(rows.map((r) => r.start)), numberArray(rows.map((r) => r.sums.seconds)), numberArray(rows.map((r) => r.sums.energy)),
    numberArray(rows.map((r) => r.sums.records)), numberArray(rows.map((r) => r.sums.silent)), numberArray(rows.map((r) => r.sums.lafmax)), numberArray(rows.map((r) => r.sums.lafmin)),
  ];
}

function binArrays(rows: BinRow[]): string[] {
  byKey(rows);
  return [textArray(rows.map((r) => r.device)), numberArray(rows.map((r) => r.start)), numberArray(rows.map((r) => r.bin)), numberArray(rows.map((r) => r.seconds))];
}

function bandBlockArrays(rows: BandBlockRow[]): string[] {
  byKey(rows);
  return [textArray(rows.map((r) => r.device)), numberArray(rows.map((r) => r.start)), numberArray(rows.map((r) => r.records)), byteaArray(rows.map((r) => r.energy)), byteaArray(rows.map((r) => r.seconds))];
}
