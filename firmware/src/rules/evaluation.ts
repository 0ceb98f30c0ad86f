/** What every rule type provides to the event lifecycle. */
import type { IntervalLevels } from '../measure/types.ts';
import type { WindowBank } from './windows.ts';

/**
 * The background reported with every event (EventEnded.backgroundLAF90) when the
 * rule itself does not use one: LAF90 over the 30 min before (issue #3).
 */
export const DEFAULT_BACKGROUND_SECONDS = 1_800;

/** A rule's reading for one interval; written in place (once per second, no allocation). */
export interface Evaluation {
  /** The rule's quantity in dB (e.g. LAeq,5min; LCeq − LAeq), null with no reading. */
  level: number | null;
  /** The threshold it is compared with (dB). */
  threshold: number;
  /** How far the condition is met (dB): triggers at ≥ 0 (> 0 when strict), holds at ≥ −hysteresis. null: no reading. */
  margin: number | null;
}

/** One configured rule, bound to its settings. */
export interface RuleCheck {
  /** Windows it reads (WindowBank keys: a length T in s, or a scheduledWindowKey), the background window included. */
  readonly windows: readonly number[];
  /** Window (key) whose LAF90 is the event's background (frozen from the trigger to the end). */
  readonly backgroundWindow: number;
  /** The condition is "exceeds" (>) rather than "reaches" (≥). */
  readonly strict: boolean;
  /** Reads the interval and windows; `background` is the LAF90 in force (frozen during an event). */
  evaluate(r: IntervalLevels, bank: WindowBank, background: number | null, out: Evaluation): void;
}

/** No reading: the window is filling, the input is silent, or there is no background yet. */
export function noReading(out: Evaluation, threshold: number): void {
  out.level = null;
  out.threshold = threshold;
  out.margin = null;
}

/**
 * Levels are compared at the 0.01 dB resolution they are reported in (DESIGN §3),
 * so the published level and threshold always agree with the decision: 34.00 does
 * not exceed 34, however the energy sum rounds in binary.
 */
export function marginOf(level: number, threshold: number): number {
  return Math.round(level * 100) / 100 - Math.round(threshold * 100) / 100;
}

/** The common case: one level against one threshold. */
export function compare(out: Evaluation, level: number | null, threshold: number): void {
  out.level = level;
  out.threshold = threshold;
  out.margin = level === null ? null : marginOf(level, threshold);
}

/**
 * A rule of LAeq,T against a threshold that follows the background LAF90
 * (background-relative, Noise Act): no reading until there is a background.
 */
export function backgroundThresholdCheck(window: number, backgroundWindow: number, strict: boolean, thresholdOf: (background: number) => number): RuleCheck {
  return {
    windows: [window, backgroundWindow],
    backgroundWindow,
    strict,
    evaluate(_r, bank, background, out) {
      if (background === null) noReading(out, Number.NaN);
      else compare(out, bank.LAeq(window), thresholdOf(background));
    },
  };
}
