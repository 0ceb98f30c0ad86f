/**
 * A level chart's legend and the key to its letters (chart.ts lays them out
 * in layoutChart(); these draw them): the legend's swatches in the colours the
 * plot uses, and each letter with its exhibit reference or event number, time
 * and events covered, going on over a new page when the key is longer than
 * what is left of the page.
 */
import type { ChartLayout, SeriesColours } from './chart.ts';
import { MARKER_FONT, MARKER_ROW } from './chart-markers.ts';
import { COLOUR, type Doc, FONT } from './layout.ts';

/** Events, diary entries and night hours: on the plot and in the legend. */
export const EVENT = '#e74c3c';
export const DIARY = '#1e8449';
export const NIGHT = '#e6e9f2';

export type LegendKind = 'LAeq' | 'LAFmax' | 'rule' | 'night' | 'event' | 'diary';

/** Where a key too long for the page goes on: the lowest y it may reach, and a new page (returning its top). */
export interface KeyOverflow {
  readonly bottom: number;
  readonly newPage: () => number;
}

/** The legend laid out by layoutChart(): a swatch for each line, rule, shading and mark, and its label. */
export function drawLegend(doc: Doc, l: ChartLayout, colours: SeriesColours): void {
  for (const it of l.legend) {
    const { x, y } = it;
    switch (it.kind) {
      case 'LAeq':
        doc.moveTo(x, y).lineTo(x + 12, y).lineWidth(1.2).strokeColor(colours.LAeq).stroke();
        break;
      case 'LAFmax':
        doc.moveTo(x, y).lineTo(x + 12, y).lineWidth(0.8).strokeColor(colours.LAFmax).stroke();
        break;
      case 'rule':
        doc.moveTo(x, y).lineTo(x + 12, y).lineWidth(0.8).dash(4, { space: 2.5 }).strokeColor(it.colour!).stroke().undash();
        break;
      case 'night':
        doc.rect(x, y - 4, 12, 8).fill(NIGHT);
        break;
      case 'event':
        doc.rect(x, y - 4, 12, 8).fillOpacity(0.25).fill(EVENT).fillOpacity(1);
        break;
      case 'diary':
        doc.polygon([x + 6, y - 4], [x + 2, y + 4], [x + 10, y + 4]).fill(DIARY);
        break;
    }
    doc.fillColor(COLOUR.text).font(FONT.regular).fontSize(6.5).text(it.label, x + 16, y - 3.5, { lineBreak: false });
  }
}

/** The key to the letters: each with its exhibit reference (or event number), time and events covered; continued on a new page if it must. */
export function drawKey(doc: Doc, l: ChartLayout, overflow: KeyOverflow | undefined): number {
  const foot = l.box.y - l.markerRows * MARKER_ROW - (l.markerRows > 0 ? 3 : 0) + l.height;
  if (l.keyTitle === null) return foot;
  const title = 'Key to the letters above the chart: every exhibit recorded in the time shown, and every event with no exhibit';
  doc.font(FONT.bold).fontSize(6.5).fillColor(COLOUR.text).text(title, l.keyTitle.x, l.keyTitle.y, { lineBreak: false });
  let shift = 0;
  let end = l.keyTitle.y + 10;
  doc.font(FONT.regular).fontSize(MARKER_FONT + 0.5);
  for (const k of l.key) {
    const h = doc.heightOfString(k.text, { width: k.w - 16 });
    if (overflow !== undefined && k.y + shift + h > overflow.bottom) {
      // Entries of one line of the key share a y: only the first moves the rest on.
      const top = overflow.newPage();
      doc.font(FONT.bold).fontSize(6.5).fillColor(COLOUR.text).text(`${title} (continued)`, l.keyTitle.x, top, { lineBreak: false });
      shift = top + 10 - k.y;
      end = top + 10;
    }
    doc.font(FONT.bold).fontSize(MARKER_FONT + 0.5).fillColor(EVENT).text(k.letter, k.x, k.y + shift, { width: 14, lineBreak: false });
    doc.font(FONT.regular).fillColor(COLOUR.text).text(k.text, k.x + 16, k.y + shift, { width: k.w - 16 });
    end = Math.max(end, k.y + shift + h + 1.5);
  }
  return shift === 0 ? foot : end;
}
