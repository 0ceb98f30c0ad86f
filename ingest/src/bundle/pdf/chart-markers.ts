/**
 * What marks a chart's exhibits and events (issue 10): every exhibit of the
 * chart's monitor whose audio falls on the axis, and every event there with no
 * exhibit, gets a letter (A, B, … Z, AA, … in time order) and a tick at the
 * plot's top edge at its start. The letters are set in rows above the plot, a
 * row lower whenever a label would touch the one before it; items too close
 * together for any row share one label ("C–F": the letters run in time order,
 * so a range names each of them). Nothing is left out: the key under the chart
 * lists every letter with its exhibit reference (or event number), its time
 * and the events of the schedule it covers.
 */
import type { Doc } from './layout.ts';

/** An exhibit's audio on the chart. */
export interface ChartExhibit {
  readonly ref: string;
  readonly start: number;
  readonly end: number;
  /** Schedule numbers of the events it covers. */
  readonly events: readonly number[];
}

/** An event on the chart; `exhibits` the references covering it. */
export interface ChartEvent {
  readonly start: number;
  readonly end: number;
  /** Its number in the schedule of events. */
  readonly n: number;
  readonly exhibits: readonly string[];
}

export interface MarkerItem {
  readonly letter: string;
  readonly t: number;
  /** "JS/3" or "Event 5". */
  readonly name: string;
  /** What the key says after the name. */
  readonly detail: string;
}

export interface MarkerLabel {
  readonly text: string;
  readonly x: number;
  readonly w: number;
  readonly row: number;
  /** The items it names (their tick positions). */
  readonly xs: readonly number[];
}

export const MARKER_FONT = 6;
/** Height of one row of letters above the plot, pt. */
export const MARKER_ROW = 7.5;
/** Rows of letters above the plot, at most. */
export const MARKER_ROWS = 3;
const GAP = 2;

/** 0 → A, 25 → Z, 26 → AA. */
export function letter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function events(ns: readonly number[]): string {
  if (ns.length === 0) return 'no event in the schedule';
  if (ns.length === 1) return `event ${ns[0]}`;
  return `events ${ns.slice(0, -1).join(', ')} and ${ns.at(-1)}`;
}

/** The chart's lettered items over [from, to): its exhibits, and its events that no exhibit covers, in time order. */
export function markerItems(exhibits: readonly ChartExhibit[], evs: readonly ChartEvent[], from: number, to: number, time: (ms: number) => string, length: (seconds: number) => string): MarkerItem[] {
  const onAxis = (s: number, e: number): boolean => e >= from && s <= to;
  const items: { t: number; order: number; name: string; detail: string }[] = [];
  for (const x of exhibits) {
    if (!onAxis(x.start, x.end)) continue;
    items.push({ t: Math.max(from, x.start), order: 0, name: x.ref, detail: `audio from ${time(x.start)}, ${length((x.end - x.start) / 1000)}; ${events(x.events)}` });
  }
  for (const e of evs) {
    if (e.exhibits.length > 0 || !onAxis(e.start, e.end)) continue;
    items.push({ t: Math.max(from, e.start), order: 1, name: `Event ${e.n}`, detail: `from ${time(e.start)}${e.end > e.start ? `, ${length((e.end - e.start) / 1000)}` : ''}; no audio exhibit` });
  }
  items.sort((a, b) => a.t - b.t || a.order - b.order);
  return items.map((it, i) => ({ letter: letter(i), t: it.t, name: it.name, detail: it.detail }));
}

/** Rows of labels for items at x positions `xs` (item order), within [left, right]. */
export function placeMarkers(doc: Doc, letters: readonly string[], xs: readonly number[], left: number, right: number): MarkerLabel[] {
  doc.fontSize(MARKER_FONT);
  const rowEnd = new Array<number>(MARKER_ROWS).fill(Number.NEGATIVE_INFINITY);
  const out: { first: number; last: number; x: number; w: number; row: number }[] = [];
  const fit = (text: string, at: number): { x: number; w: number } => {
    const w = doc.widthOfString(text) + 2;
    return { x: Math.min(Math.max(at - w / 2, left), right - w), w };
  };
  for (let i = 0; i < xs.length; i++) {
    const { x, w } = fit(letters[i]!, xs[i]!);
    const row = rowEnd.findIndex((end) => x >= end + GAP);
    if (row >= 0 || out.length === 0) {
      const r = Math.max(row, 0);
      out.push({ first: i, last: i, x, w, row: r });
      rowEnd[r] = x + w;
      continue;
    }
    // No row has room: the item joins the label before it, which then names a range.
    const g = out[out.length - 1]!;
    g.last = i;
    // It keeps its left end (the row before it is clear of that), widened to the range's text.
    g.w = doc.widthOfString(`${letters[g.first]}–${letters[i]}`) + 2;
    g.x = Math.max(left, Math.min(g.x, right - g.w));
    rowEnd[g.row] = Math.max(rowEnd[g.row]!, g.x + g.w);
  }
  return out.map((g) => ({
    text: g.first === g.last ? letters[g.first]! : `${letters[g.first]}–${letters[g.last]}`,
    x: g.x,
    w: g.w,
    row: g.row,
    xs: xs.slice(g.first, g.last + 1),
  }));
}
