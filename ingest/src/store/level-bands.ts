/**
 * Stores the 1/3-octave bands of level records (issue 16; tables in
 * level-bands-migrations.ts). The levels writer (levels.ts) hands over each
 * record it has just stored that carries `Z3`, in its own transaction, so a
 * record's bands are kept exactly when the record is: a redelivered or
 * duplicate record (kept as it was) brings no second set of bands.
 *
 * Each record is one row of `level_bands`; the ten-minute sums of
 * `level_bands_10m` are added up block by block as records come and written at
 * a block change and at the end of the batch (read, add, write: every write
 * adds, so a batch out of time order still sums exactly). Nothing is allocated
 * per record: the BLOB for each band count and the running sums are reused.
 */
import type { ThirdOctaveLevels } from '@earshot/shared';
import type { Db } from '../db/open.ts';
import { type Steps, run } from '../storage/record/steps.ts';
import { ALL_BANDS, BAND_BYTES, addBandEnergies, bandIndex, encodeBands } from './band-codec.ts';
import { BAND_ROLLUP_MS } from './level-bands-migrations.ts';

export interface LevelBandsWriter {
  /** One newly stored level record's bands (`t` epoch ms, `d` its duration in seconds). */
  add(device: string, t: number, d: number, bands: ThirdOctaveLevels): void;
  /** End of the batch: writes the ten-minute sums of what was added. */
  end(): void;
}

/** Whether the database has the band tables (a store opened without level-bands-001 has none). */
export function hasLevelBands(db: Db): boolean {
  return db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('level_bands', 'level_bands_10m')").get()!.n === 2;
}

/** The sums of one ten-minute block: energy and seconds per nominal band. */
export class BandBlock {
  readonly energy = new Float64Array(ALL_BANDS);
  readonly seconds = new Float64Array(ALL_BANDS);
  records = 0;

  clear(): void {
    this.energy.fill(0);
    this.seconds.fill(0);
    this.records = 0;
  }

  /** Adds a stored BLOB (from nominal band `i0`) of a record lasting `d` seconds. */
  add(data: Uint8Array, i0: number, d: number): void {
    addBandEnergies(data, i0, d, this.energy, this.seconds, 0);
    this.records += 1;
  }

  /** Adds the sums as `level_bands_10m` keeps them. */
  addStored(energy: Uint8Array, seconds: Uint8Array, records: number): void {
    const e = Buffer.from(energy.buffer, energy.byteOffset, energy.byteLength);
    const s = Buffer.from(seconds.buffer, seconds.byteOffset, seconds.byteLength);
    for (let k = 0; k < ALL_BANDS; k++) {
      this.energy[k]! += e.readDoubleLE(k * 8);
      this.seconds[k]! += s.readDoubleLE(k * 8);
    }
    this.records += records;
  }

  /** Writes the sums into two BLOBs of ALL_BANDS little-endian doubles. */
  pack(energy: Buffer, seconds: Buffer): void {
    for (let k = 0; k < ALL_BANDS; k++) {
      energy.writeDoubleLE(this.energy[k]!, k * 8);
      seconds.writeDoubleLE(this.seconds[k]!, k * 8);
    }
  }
}

interface StoredBlock { records: number; energy: Buffer; seconds: Buffer }

/** One block's sums written as they are (the SQL both stores share). */
const PUT_SUMS = `INSERT INTO level_bands_10m (device, start, records, energy, seconds) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (device, start) DO UPDATE SET records = excluded.records, energy = excluded.energy, seconds = excluded.seconds`;
const DROP_SUMS = 'DELETE FROM level_bands_10m WHERE device = ? AND start = ?';

/** Read-add-write of one block's sums in `level_bands_10m`. */
export function createBandBlockStore(db: Db): { merge(device: string, start: number, block: BandBlock): void } {
  const get = db.prepare<[string, number], StoredBlock>('SELECT records, energy, seconds FROM level_bands_10m WHERE device = ? AND start = ?');
  const put = db.prepare<[string, number, number, Buffer, Buffer]>(PUT_SUMS);
  const energy = Buffer.alloc(ALL_BANDS * 8);
  const seconds = Buffer.alloc(ALL_BANDS * 8);
  return {
    merge(device, start, block) {
      const old = get.get(device, start);
      if (old !== undefined) block.addStored(old.energy, old.seconds, old.records);
      block.pack(energy, seconds);
      put.run(device, start, block.records, energy, seconds);
    },
  };
}

/**
 * Record-port steps (storage/record/steps.ts) that set a block's sums to `block`'s, or drop the row when it
 * holds no record: the retention purge's remade sums, on either store. Each writer packs into its own buffers.
 */
export function bandSumsReplacer(): (device: string, start: number, block: BandBlock) => Steps<void> {
  const energy = Buffer.alloc(ALL_BANDS * 8);
  const seconds = Buffer.alloc(ALL_BANDS * 8);
  return function* (device, start, block) {
    if (block.records === 0) {
      yield* run(DROP_SUMS, device, start);
      return;
    }
    block.pack(energy, seconds);
    yield* run(PUT_SUMS, device, start, block.records, energy, seconds);
  };
}

export function createLevelBandsWriter(db: Db): LevelBandsWriter | null {
  if (!hasLevelBands(db)) return null;
  const insert = db.prepare<[number, string, number, string, Buffer]>('INSERT INTO level_bands (t, device, d, f0, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const blocks = createBandBlockStore(db);
  // [n]: the BLOB for n bands, reused (better-sqlite3 copies a bound BLOB when the statement runs).
  const blobs: Buffer[] = Array.from({ length: ALL_BANDS + 1 }, (_, n) => Buffer.alloc(n * BAND_BYTES));
  const block = new BandBlock();
  let device = '';
  let start = Number.NaN;
  const flush = (): void => {
    if (block.records > 0) blocks.merge(device, start, block);
    block.clear();
  };
  return {
    add(dev, t, d, bands) {
      const i0 = bandIndex(bands.f0);
      const data = encodeBands(bands.dB10, blobs[bands.dB10.length]!);
      if (insert.run(t, dev, d, bands.f0, data).changes !== 1) return;
      const s = t - (t % BAND_ROLLUP_MS);
      if (s !== start || dev !== device) {
        flush();
        start = s;
        device = dev;
      }
      block.add(data, i0, d);
    },
    end() {
      flush();
      start = Number.NaN;
    },
  };
}
