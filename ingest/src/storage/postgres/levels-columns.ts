/**
 * The levels writer's rows as columns (levels-writer.ts): every record of every
 * message of a batch, in order, as the `levels` table's columns (the values
 * SQLite's writer binds, store/levels.ts), and which of them were new once the
 * insert has said which (t, device) it stored.
 */
import type { LevelsBody } from '@earshot/shared';

export interface LevelsItem {
  readonly device: string;
  readonly seq: number;
  readonly body: LevelsBody;
}

export interface LevelColumns {
  readonly t: number[];
  readonly device: string[];
  readonly d: number[];
  readonly laeq: (number | null)[];
  readonly lceq: (number | null)[];
  readonly lzeq: (number | null)[];
  readonly lafmax: (number | null)[];
  readonly lafmin: (number | null)[];
  readonly lasmax: (number | null)[];
  readonly lcpeak: (number | null)[];
  readonly clipped: (number | null)[];
  readonly silent: number[];
  readonly n: (number | null)[];
  readonly fullScaleDb: number[];
  readonly seq: number[];
  /** [i]: the item record i came in. */
  readonly item: number[];
}

export function levelColumns(items: readonly LevelsItem[]): LevelColumns {
  const c: LevelColumns = { t: [], device: [], d: [], laeq: [], lceq: [], lzeq: [], lafmax: [], lafmin: [], lasmax: [], lcpeak: [], clipped: [], silent: [], n: [], fullScaleDb: [], seq: [], item: [] };
  items.forEach(({ device, seq, body }, k) => {
    for (const r of body.records) {
      c.t.push(Date.parse(r.t));
      c.device.push(device);
      c.d.push(r.d);
      c.laeq.push(r.LAeq);
      c.lceq.push(r.LCeq);
      c.lzeq.push(r.LZeq);
      c.lafmax.push(r.LAFmax);
      c.lafmin.push(r.LAFmin);
      c.lasmax.push(r.LASmax);
      c.lcpeak.push(r.LCpeak);
      c.clipped.push(r.clipped ?? null);
      c.silent.push(r.silent === true ? 1 : 0);
      c.n.push(r.n ?? null);
      c.fullScaleDb.push(body.fullScaleDb);
      c.seq.push(seq);
      c.item.push(k);
    }
  });
  return c;
}

/** The key a stored row is returned by. */
export function rowKey(device: string, t: number): string {
  return `${t}\u0000${device}`;
}

/** [i]: whether row i is the batch's first with its (t, device) — the only one that may be stored. */
export function firstOfKey(device: readonly string[], t: readonly number[]): boolean[] {
  const seen = new Set<string>();
  const first = new Array<boolean>(t.length);
  for (let i = 0; i < t.length; i++) {
    const k = rowKey(device[i]!, t[i]!);
    first[i] = !seen.has(k);
    seen.add(k);
  }
  return first;
}

/**
 * Which rows were stored, from how many were and (when not all) the (t, device) keys the insert returned. Within one statement the first of two rows
 * with the same key is the one stored (ON CONFLICT DO NOTHING skips the later one), as SQLite's writer, record by
 * record, keeps the first: so each returned key marks its first occurrence.
 */
export function storedRows(device: readonly string[], t: readonly number[], count: number, returned: readonly (readonly [number, string])[]): boolean[] {
  const stored = new Array<boolean>(t.length).fill(false);
  if (count === t.length) return stored.fill(true);
  const keys = new Set(returned.map(([rt, rd]) => rowKey(rd, rt)));
  for (let i = 0; i < t.length; i++) {
    const k = rowKey(device[i]!, t[i]!);
    if (keys.delete(k)) stored[i] = true;
  }
  return stored;
}
