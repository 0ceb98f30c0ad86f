/**
 * A small RFC 4180 CSV parser: fields separated by commas, records by CRLF (a
 * bare LF is accepted too), fields optionally in double quotes, a quote inside a
 * quoted field written twice, and commas and line breaks allowed inside quotes
 * (RFC 4180 §2 rules 1–7). A leading UTF-8 BOM (spreadsheet exports) is skipped.
 * Each record carries the line number it starts on, for error messages.
 */

export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

export type CsvResult = { readonly ok: true; readonly records: CsvRecord[] } | { readonly ok: false; readonly line: number; readonly problem: string };

export function parseCsv(text: string): CsvResult {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        // RFC 4180 §2 rule 5–7: quoted field; "" is one quote.
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) return { ok: false, line: quoteLine, problem: 'a quoted field is never closed' };
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
        const after = text[i];
        if (i < n && after !== ',' && after !== '\r' && after !== '\n') return { ok: false, line, problem: 'text after a closing quote' };
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
          if (text[i] === '"') return { ok: false, line, problem: 'a quote inside an unquoted field' };
          i++;
        }
        field = text.slice(start, i);
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    // A blank line (one empty field) is not a record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: startLine, fields });
  }
  return { ok: true, records };
}
