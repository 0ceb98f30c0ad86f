/**
 * Walks one monitor's level blocks forward (read-blocks.ts) for readers that
 * ask for many short, increasing time ranges — coverage asks for each minute
 * the rollups show as not whole — so each hour's block is read once, and only
 * the hours asked for are read.
 */
import type { BlockReader, BlockSlice, HourRef } from './read-blocks.ts';
import type { LevelBlock } from './codec.ts';
import { HOUR_MS } from './migrations.ts';

export class RecordCursor {
  readonly #hours: HourRef[];
  #next = 0;
  #current: BlockSlice | null = null;
  /** Where the last call stopped in the current slice: calls only move forward. */
  #i = 0;
  #done = false;

  /** The records of `device` in [from, to). */
  constructor(private readonly reader: BlockReader, device: string, private readonly from: number, private readonly to: number) {
    this.#hours = reader.hours(device, from, to);
  }

  /** Calls `fn` for every record starting in [from, to), in time order; each call's `from` ≥ the previous call's `to`. */
  each(from: number, to: number, fn: (block: LevelBlock, i: number) => void): void {
    for (;;) {
      const s = this.#at(from);
      if (s === null || s.block.hourMs >= to) return;
      const { block, end } = s;
      const hour = block.hourMs;
      const offsets = block.offsetMs;
      let i = this.#i;
      while (i < end && hour + offsets[i]! < from) i++;
      for (; i < end && hour + offsets[i]! < to; i++) fn(block, i);
      this.#i = i;
      if (hour + HOUR_MS >= to) return;
      from = hour + HOUR_MS;
    }
  }

  /** The first slice with records whose hour ends after `t`, or null when none is left; hours before `t` are never read. */
  #at(t: number): BlockSlice | null {
    while (!this.#done && (this.#current === null || this.#current.block.hourMs + HOUR_MS <= t)) {
      let h = this.#hours[this.#next];
      while (h !== undefined && h.hourMs + HOUR_MS <= t) h = this.#hours[++this.#next];
      if (h === undefined) {
        this.#done = true;
        this.#current = null;
        break;
      }
      this.#next++;
      this.#current = this.reader.slice(h, this.from, this.to);
      if (this.#current !== null) this.#i = this.#current.first;
    }
    return this.#current;
  }
}
