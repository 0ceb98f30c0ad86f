/**
 * Tables of the 1/3-octave bands (issue 16, DESIGN §3 "Bands"), written with
 * the level records they belong to (store/level-bands.ts, in the levels
 * writer's transaction). Apply after the store's migrations.
 *
 * - `level_bands`: one row per level record that carried `Z3`, keyed like
 *   `levels` (time first, so devices appending at "now" write at the right edge
 *   of the B-tree): its duration `d` (a compacted record stands for several
 *   seconds, and weighs so in every mean), the nominal midband `f0` of its first
 *   band, and `data`, the bands as int16 0.1 dB values (store/band-codec.ts).
 * - `level_bands_10m`: per device and ten-minute block (start = t − t mod
 *   600 000, a record counted in the block it starts in, as the level rollups
 *   count it), the sums a bucket's energy mean is read from: `energy`, Σ
 *   d·10^(L/10), and `seconds`, Σ d over the records where the band had a level,
 *   each a BLOB of 34 little-endian doubles indexed by nominal band (10 Hz …
 *   20 kHz). Energies, not dB, add (IEC 61672-1:2013 §3.9), so blocks sum
 *   exactly into any bucket of whole blocks; a month of one device is 4 320 rows
 *   instead of 2.6 M.
 */
import type { Migration } from '../db/migrate.ts';

/** The block length of `level_bands_10m`, ms. */
export const BAND_ROLLUP_MS = 600_000;

export const levelBandsMigrations: readonly Migration[] = [
  {
    name: 'level-bands-001-tables',
    sql: `
      CREATE TABLE level_bands (
        t INTEGER NOT NULL,
        device TEXT NOT NULL,
        d REAL NOT NULL,
        f0 TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (t, device)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE level_bands_10m (
        device TEXT NOT NULL,
        start INTEGER NOT NULL,
        records INTEGER NOT NULL,
        energy BLOB NOT NULL,
        seconds BLOB NOT NULL,
        PRIMARY KEY (device, start)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];
