/**
 * The measurement-uncertainty budget of a deployment (issue 10), by the GUM
 * (JCGM 100:2008): each component's tolerance half-width a taken as a
 * rectangular distribution, standard uncertainty u = a/√3 (§4.3.7); combined
 * standard uncertainty the root sum of squares (§5.1.2, uncorrelated inputs);
 * expanded uncertainty U = k·u with k = 2, about 95 % coverage (§6.2–6.3).
 * Pure: the deployment record in, the budget out.
 */
import type { Equipment } from '../bundle/model.ts';

type Component = Equipment['uncertainty']['components'][number];

/**
 * Acceptance limits of the generated sound pressure level, by calibrator class (± dB):
 * IEC 60942:2003 (the edition most calibrators in service were certified to; the 2017
 * edition keeps classes LS, 1 and 2 and adds a maximum-permitted uncertainty).
 */
export const CALIBRATOR_LIMITS_DB: Readonly<Record<'LS' | '1' | '2', number>> = { LS: 0.2, '1': 0.4, '2': 0.75 };
/**
 * The measurement engine: the largest deviation the conformance suite asserts for
 * the levels reported (README "Accuracy": tone-burst response to IEC 61672-1:2013
 * Table 4 within ±0.2 dB; weighting within ±0.1 dB of Annex E to 10 kHz; linearity ±0.02 dB).
 */
export const ENGINE_LIMIT_DB = 0.2;
/**
 * A microphone whose datasheet tolerance was not stated: a cautious ±1.5 dB for its
 * frequency response away from the 1 kHz calibration point (class 1 acceptance
 * limits of IEC 61672-1:2013 Table 3 are of this size over 63 Hz – 4 kHz).
 */
export const MIC_DEFAULT_LIMIT_DB = 1.5;
/** Position in a furnished room (standing waves, nearness to walls): an estimate, ±1.0 dB. */
export const POSITION_LIMIT_DB = 1.0;
/** GUM JCGM 100:2008 §6.3.3: k = 2 gives about 95 % coverage. */
export const COVERAGE_FACTOR = 2;

const r2 = (x: number): number => Math.round(x * 100) / 100;

function rect(name: string, halfWidthDb: number, source: string): Component {
  return { name, halfWidthDb: r2(halfWidthDb), distribution: 'rectangular', standardDb: r2(halfWidthDb / Math.sqrt(3)), source };
}

export interface BudgetInput {
  readonly calibratorClass: 'LS' | '1' | '2' | null;
  readonly micToleranceDb: number | null;
  readonly micClass: string | null;
  /** Calibration drift over the deployment, if both checks exist. */
  readonly driftDb: number | null;
}

export function uncertaintyBudget(i: BudgetInput): Equipment['uncertainty'] {
  const cls = i.calibratorClass ?? '1';
  const components: Component[] = [
    rect('Calibrator', CALIBRATOR_LIMITS_DB[cls], `IEC 60942:2003 class ${cls} acceptance limit${i.calibratorClass === null ? ' (class not stated: class 1 assumed)' : ''}`),
    i.micToleranceDb !== null
      ? rect('Microphone', i.micToleranceDb, 'the microphone datasheet\'s frequency-response tolerance, as recorded at installation')
      : rect('Microphone', MIC_DEFAULT_LIMIT_DB, `not stated at installation${i.micClass === null ? '' : ` (class ${i.micClass})`}: a cautious figure of the size of the IEC 61672-1:2013 class 1 limits, 63 Hz – 4 kHz`),
    rect('Instrument (measurement engine)', ENGINE_LIMIT_DB, 'largest deviation the conformance suite asserts (IEC 61672-1:2013 Tables 3–5, Annex E)'),
    rect('Position in the room', POSITION_LIMIT_DB, 'estimate for a microphone in a furnished room, away from walls and windows'),
  ];
  if (i.driftDb !== null && i.driftDb !== 0) components.push(rect('Calibration drift', Math.abs(i.driftDb), 'the change between the calibrator checks at installation and removal'));
  const combined = Math.sqrt(components.reduce((s, c) => s + (c.halfWidthDb / Math.sqrt(3)) ** 2, 0));
  return { components, combinedDb: r2(combined), expandedDb: r2(COVERAGE_FACTOR * combined), coverageFactor: COVERAGE_FACTOR };
}
