/**
 * Debounce of the incident button: a press counts once the contact has been
 * closed for `debounceMs` without opening (contact bounce lasts a few ms; mechanical
 * switches are specified to settle within ~5–20 ms), and presses within
 * `minGapMs` of an accepted one are ignored (a resident pressing repeatedly in
 * distress makes one incident, not ten).
 */
import type { Clock } from '../capture/types.ts';

export interface DebounceOptions {
  /** Default 50 ms. */
  debounceMs?: number;
  /** Default 2 000 ms. */
  minGapMs?: number;
  now?: Clock;
}

export class PressDebouncer {
  private readonly debounceMs: number;
  private readonly minGapMs: number;
  private readonly now: Clock;
  private timer: NodeJS.Timeout | null = null;
  private downAtMs = 0;
  private lastPressMs = -Infinity;

  constructor(
    private readonly onPress: (atMs: number) => void,
    options: DebounceOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 50;
    this.minGapMs = options.minGapMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  /** The contact closed (true) or opened (false). */
  input(down: boolean): void {
    if (!down) {
      this.cancel();
      return;
    }
    if (this.timer !== null) return;
    this.downAtMs = this.now();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.downAtMs - this.lastPressMs < this.minGapMs) return;
      this.lastPressMs = this.downAtMs;
      this.onPress(this.downAtMs);
    }, this.debounceMs);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
