/**
 * What the case's monitors measured over a window (a diary entry's time, an
 * event's levels so far): the energy-mean LAeq and LCeq (IEC 61672-1:2013 §3.9),
 * the highest LAFmax and the background — the level exceeded 90 % of the time,
 * here of the 1 s LAeq values (the 1 s records carry no 10 ms LAF samples) —
 * from the 1 s records inside the case's own deployment spans only.
 */
import type { Db } from '../db/open.ts';
import { energyMeanDb, l90FromValues } from '../timeline/index.ts';
import { type DeploymentSpan, clipSpans } from './spans.ts';

export interface Measured {
  readonly LAeq: number | null;
  readonly LAFmax: number | null;
  /** The level the 1 s LAeq values exceeded 90 % of the time (not LAF90: 10 ms F levels are not stored). */
  readonly LA90: number | null;
}

export interface MeasuredWithC extends Measured {
  readonly LCeq: number | null;
}

interface Row { d: number; laeq: number | null; lceq: number | null; lafmax: number | null }

/** `deviceId` narrows it to one monitor (default: every monitor of the spans); null when no record lies in the window. */
export function createWindowMeasurer(db: Db, spans: readonly DeploymentSpan[]): (from: number, to: number, deviceId?: string) => MeasuredWithC | null {
  const rows = db.prepare<[number, number, string], Row>('SELECT d, laeq, lceq, lafmax FROM levels WHERE t >= ? AND t < ? AND device = ?');
  const all = [...new Set(spans.map((s) => s.deviceId))];
  return (from, to, deviceId) => {
    let n = 0;
    let energy = 0;
    let seconds = 0;
    let cEnergy = 0;
    let cSeconds = 0;
    let max: number | null = null;
    const values: number[] = [];
    const weights: number[] = [];
    for (const device of deviceId === undefined ? all : [deviceId]) {
      for (const r of clipSpans(spans, device, from, to)) {
        for (const row of rows.iterate(r.from, r.to, device)) {
          n++;
          if (row.lafmax !== null && (max === null || row.lafmax > max)) max = row.lafmax;
          if (row.lceq !== null) {
            cEnergy += row.d * 10 ** (row.lceq / 10);
            cSeconds += row.d;
          }
          if (row.laeq === null) continue;
          energy += row.d * 10 ** (row.laeq / 10);
          seconds += row.d;
          values.push(row.laeq);
          weights.push(row.d);
        }
      }
    }
    if (n === 0) return null;
    const l90 = l90FromValues(Float64Array.from(values), Float64Array.from(weights), values.length);
    return { LAeq: energyMeanDb(energy, seconds), LCeq: energyMeanDb(cEnergy, cSeconds), LAFmax: max, LA90: l90 === null ? null : Math.round(l90 * 100) / 100 };
  };
}
