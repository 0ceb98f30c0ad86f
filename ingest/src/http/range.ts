/**
 * The Range header of a GET (RFC 9110 §14): one byte range, so a browser's audio
 * element can seek. Several ranges or a malformed header are ignored and the
 * whole file is sent, as §14.2 allows; a range starting past the end is 416.
 */

export type RangeResult =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly start: number; readonly end: number }
  | { readonly kind: 'unsatisfiable' };

/** `end` inclusive, as in Content-Range (RFC 9110 §14.4). */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'whole' };
  // RFC 9110 §14.1.2: ranges-specifier = range-unit "=" range-set; one range only here.
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null) return { kind: 'whole' };
  const [, first = '', last = ''] = m;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    // RFC 9110 §14.1.2 suffix-range: the last N bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'whole' };
  return { kind: 'partial', start, end };
}
