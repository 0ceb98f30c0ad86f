/**
 * The marking of a demonstration bundle (issue 17; the mark itself is a proved
 * deployment leaf, ingest/src/cases/demonstration.ts): a line at the top and
 * bottom of every PDF page, and a trailing `demonstration` column on every row
 * of every CSV file, so that no page and no row copied out of the bundle can
 * pass as evidence. DESIGN §6 lets columns follow the listed ones. Bundles of
 * real cases are not touched: their files stay byte for byte as before.
 */

/** Printed on every page of a demonstration bundle. */
export const DEMONSTRATION_NOTICE = 'DEMONSTRATION DATA — not evidence: synthesised sound from the Earshot demo (npm start)';
/** The trailing column's header, and its value on every row. */
export const DEMONSTRATION_COLUMN = 'demonstration';
export const DEMONSTRATION_VALUE = 'DEMONSTRATION DATA - not evidence';

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Appends the column to every record of RFC 4180 text made of whole records
 * (each ended by CRLF; a CRLF inside a quoted field is not a record end).
 * `header`: the first record is the header row.
 */
export function markCsv(text: string, header: boolean): string {
  const row = `,${DEMONSTRATION_VALUE}\r\n`;
  // Rows without quoted fields (levels.csv: numbers, times, device ids): every CRLF ends a record.
  if (!text.includes('"')) {
    if (!header) return text.replaceAll('\r\n', row);
    const end = text.indexOf('\r\n');
    if (end < 0) return text;
    return `${text.slice(0, end)},${DEMONSTRATION_COLUMN}\r\n${text.slice(end + 2).replaceAll('\r\n', row)}`;
  }
  let out = '';
  let from = 0;
  let quoted = false;
  let first = header;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A doubled quote inside a field toggles twice: the state is right again after it.
    if (c === QUOTE) quoted = !quoted;
    else if (c === CR && !quoted && text.charCodeAt(i + 1) === LF) {
      out += `${text.slice(from, i)},${first ? DEMONSTRATION_COLUMN : DEMONSTRATION_VALUE}\r\n`;
      first = false;
      i++;
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/** The same over a file written in chunks of whole records (levels.csv), the header in the first. */
export function markCsvChunks(chunks: Iterable<string> | AsyncIterable<string>): Iterable<string> | AsyncIterable<string> {
  if (Symbol.iterator in chunks) {
    return (function* () {
      let first = true;
      for (const c of chunks) {
        yield markCsv(c, first);
        first = false;
      }
    })();
  }
  return (async function* () {
    let first = true;
    for await (const c of chunks) {
      yield markCsv(c, first);
      first = false;
    }
  })();
}
