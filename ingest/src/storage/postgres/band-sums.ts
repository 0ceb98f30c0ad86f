/**
 * The 1/3-octave bands of a batch's new level records, for the PostgreSQL levels
 * writer (levels-writer.ts), encoded and summed as SQLite's band writer does
 * (store/level-bands.ts, store/band-codec.ts): one `level_bands` row per record
 * carrying `Z3`, and for each newly stored band row its ten-minute block's
 * energies and seconds per nominal band, summed per message and block
 * ("partials"), then added to the stored sums in that order (`foldBandBlock`),
 * so both stores hold the same BLOBs.
 */
import type { ThirdOctaveLevels } from '@earshot/shared';
import { ALL_BANDS, BAND_BYTES, bandIndex, encodeBands } from '../../store/band-codec.ts';
import { BAND_ROLLUP_MS } from '../../store/level-bands-migrations.ts';
import { BandBlock } from '../../store/level-bands.ts';

export interface BandRows {
  readonly t: number[];
  readonly device: string[];
  readonly d: number[];
  readonly f0: string[];
  readonly data: Buffer[];
  /** [i]: the item the row's record came in. */
  readonly item: number[];
}

export function emptyBandRows(): BandRows {
  return { t: [], device: [], d: [], f0: [], data: [], item: [] };
}

/** Adds a new record's bands (as store/level-bands.ts encodes them: int16 LE per band, −32768 for null). */
export function addBandRow(rows: BandRows, item: number, device: string, t: number, d: number, bands: ThirdOctaveLevels): void {
  rows.t.push(t);
  rows.device.push(device);
  rows.d.push(d);
  rows.f0.push(bands.f0);
  rows.data.push(encodeBands(bands.dB10, Buffer.alloc(bands.dB10.length * BAND_BYTES)));
  rows.item.push(item);
}

export interface BandBlockKey {
  readonly device: string;
  readonly start: number;
  readonly parts: BandBlock[];
}

/**
 * The ten-minute partials of the band rows stored (`stored[i]`), message by message: a block's sums end at a
 * block change and at the end of each message, as store/level-bands.ts flushes them.
 */
export function bandBlockPartials(rows: BandRows, stored: readonly boolean[]): Map<string, BandBlockKey> {
  const out = new Map<string, BandBlockKey>();
  let block = new BandBlock();
  let device = '';
  let start = Number.NaN;
  let item = -1;
  const flush = (): void => {
    if (block.records > 0) {
      const k = `${device}\u0000${start}`;
      let b = out.get(k);
      if (b === undefined) out.set(k, (b = { device, start, parts: [] }));
      b.parts.push(block);
      block = new BandBlock();
    }
  };
  for (let i = 0; i < rows.t.length; i++) {
    if (rows.item[i] !== item) {
      flush();
      item = rows.item[i]!;
      start = Number.NaN;
    }
    if (!stored[i]) continue;
    const t = rows.t[i]!;
    const s = t - (t % BAND_ROLLUP_MS);
    if (s !== start || rows.device[i] !== device) {
      flush();
      start = s;
      device = rows.device[i]!;
    }
    block.add(rows.data[i]!, bandIndex(rows.f0[i]!), rows.d[i]!);
  }
  flush();
  return out;
}

export interface StoredBandBlock {
  records: number;
  energy: Uint8Array;
  seconds: Uint8Array;
}

/**
 * A block's sums after its partials, packed as `level_bands_10m` keeps them (ALL_BANDS little-endian doubles each).
 * Each partial adds the sums before it, as createBandBlockStore's merge adds the stored row to a block's sums
 * (the first partial alone when nothing is stored: 0 + x is x for these sums, all ≥ 0). The partials are not changed.
 */
export function foldBandBlock(stored: StoredBandBlock | undefined, parts: readonly BandBlock[]): { records: number; energy: Buffer; seconds: Buffer } {
  const acc = new BandBlock();
  if (stored !== undefined) acc.addStored(stored.energy, stored.seconds, stored.records);
  for (const p of parts) {
    for (let k = 0; k < ALL_BANDS; k++) {
      acc.energy[k] = p.energy[k]! + acc.energy[k]!;
      acc.seconds[k] = p.seconds[k]! + acc.seconds[k]!;
    }
    acc.records += p.records;
  }
  const energy = Buffer.alloc(ALL_BANDS * 8);
  const seconds = Buffer.alloc(ALL_BANDS * 8);
  acc.pack(energy, seconds);
  return { records: acc.records, energy, seconds };
}
