/**
 * The minute and ten-minute rollups of a batch's new level records, computed as
 * SQLite's levels writer computes them (timeline/rollup-batch.ts), for the
 * PostgreSQL levels writer (levels-writer.ts).
 *
 * SQLite's writer sums each message's new records block by block (a block is
 * written when the next record falls in another, and at the end of the message)
 * and adds each block's sums to the stored row, one upsert after another. Here
 * the same per-message block sums ("partials") are kept in order per row key,
 * and `foldBucket` / `foldBin` add them to the stored row in that order — the
 * same doubles added in the same order, so both stores hold the same bits.
 */
import { ROLLUP_TIERS } from '../../timeline/migrations.ts';

/** One block's sums of one message, as a row of `levels_1m` / `levels_10m` adds them. */
export interface BucketSums {
  seconds: number;
  energy: number;
  records: number;
  silent: number;
  lafmax: number | null;
  lafmin: number | null;
}

export interface BucketKey {
  readonly device: string;
  readonly start: number;
  /** In the order SQLite's writer would add them. */
  readonly parts: BucketSums[];
}

export interface BinKey {
  readonly device: string;
  readonly start: number;
  readonly bin: number;
  readonly parts: number[];
}

/** One tier's partials of a batch, by row key. */
export class TierPartials {
  readonly buckets = new Map<string, BucketKey>();
  readonly bins = new Map<string, BinKey>();
  private start = Number.NaN;
  private device = '';
  private sums: BucketSums = { seconds: 0, energy: 0, records: 0, silent: 0, lafmax: null, lafmin: null };
  private binSeconds = new Map<number, number>();

  constructor(readonly ms: number) {}

  /** A message begins (rollup-batch.ts `begin`: nothing summed yet). */
  begin(device: string): void {
    this.device = device;
    this.start = Number.NaN;
  }

  add(t: number, d: number, laeq: number | null, silent: number, lafmax: number | null, lafmin: number | null): void {
    // The block a record starts in (t − t mod size), as rollup-batch.ts.
    const start = t - (t % this.ms);
    if (start !== this.start) {
      this.end();
      this.start = start;
      this.sums = { seconds: 0, energy: 0, records: 0, silent: 0, lafmax: null, lafmin: null };
      this.binSeconds = new Map();
    }
    const s = this.sums;
    s.records += 1;
    s.silent += silent;
    if (lafmax !== null && (s.lafmax === null || lafmax > s.lafmax)) s.lafmax = lafmax;
    if (lafmin !== null && (s.lafmin === null || lafmin < s.lafmin)) s.lafmin = lafmin;
    if (laeq === null) return;
    s.seconds += d;
    // IEC 61672-1:2013 §3.9: energy, d·10^(LAeq/10), is what adds; the same expression as rollup-batch.ts.
    s.energy += d * 10 ** (laeq / 10);
    const bin = Math.floor(laeq);
    this.binSeconds.set(bin, (this.binSeconds.get(bin) ?? 0) + d);
  }

  /** The end of a message (or of a block): its sums become partials of their rows. */
  end(): void {
    if (Number.isNaN(this.start)) return;
    const k = `${this.device}\u0000${this.start}`;
    let b = this.buckets.get(k);
    if (b === undefined) this.buckets.set(k, (b = { device: this.device, start: this.start, parts: [] }));
    b.parts.push(this.sums);
    for (const [bin, seconds] of this.binSeconds) {
      const kb = `${k}\u0000${bin}`;
      let h = this.bins.get(kb);
      if (h === undefined) this.bins.set(kb, (h = { device: this.device, start: this.start, bin, parts: [] }));
      h.parts.push(seconds);
    }
    this.start = Number.NaN;
  }
}

/** Both tiers (ROLLUP_TIERS: levels_10m, levels_1m), fed the new records message by message. */
export function rollupPartials(): { tiers: { table: string; partials: TierPartials }[]; begin(device: string): void; add(t: number, d: number, laeq: number | null, silent: number, lafmax: number | null, lafmin: number | null): void; end(): void } {
  const tiers = ROLLUP_TIERS.map((r) => ({ table: r.table as string, partials: new TierPartials(r.ms) }));
  return {
    tiers,
    begin: (device) => tiers.forEach((x) => x.partials.begin(device)),
    add: (t, d, laeq, silent, lafmax, lafmin) => tiers.forEach((x) => x.partials.add(t, d, laeq, silent, lafmax, lafmin)),
    end: () => tiers.forEach((x) => x.partials.end()),
  };
}

/** A bucket row after its partials: the stored row (or, without one, the first partial) plus each in turn, as SQLite's upsert adds them. */
export function foldBucket(stored: BucketSums | undefined, parts: readonly BucketSums[]): BucketSums {
  let i = 0;
  const acc: BucketSums = { ...(stored ?? parts[i++]!) };
  for (; i < parts.length; i++) {
    const p = parts[i]!;
    acc.seconds += p.seconds;
    acc.energy += p.energy;
    acc.records += p.records;
    acc.silent += p.silent;
    // SQLite: max(coalesce(lafmax, excluded.lafmax), coalesce(excluded.lafmax, lafmax)), a max ignoring NULL.
    if (p.lafmax !== null && (acc.lafmax === null || p.lafmax > acc.lafmax)) acc.lafmax = p.lafmax;
    if (p.lafmin !== null && (acc.lafmin === null || p.lafmin < acc.lafmin)) acc.lafmin = p.lafmin;
  }
  return acc;
}

/** A histogram bin's seconds after its partials (stored, or the first partial, plus each in turn). */
export function foldBin(stored: number | undefined, parts: readonly number[]): number {
  let i = 0;
  let acc = stored ?? parts[i++]!;
  for (; i < parts.length; i++) acc += parts[i]!;
  return acc;
}
