/**
 * The bundle's file name, DESIGN §6: `<caseRef>_<from>_<to>.zip`. The times are
 * written in ISO 8601 basic format, UTC (ISO 8601-1:2019 §5.3.3, §5.4.2):
 * 2026-03-01T22:00:00.000Z → 20260301T220000Z (milliseconds kept only when not
 * zero: 20260301T220000.500Z). No ':' — Windows and many ZIP tools refuse it in
 * file names — and the names sort in time order.
 */
export function basicIso(iso: string): string {
  const d = new Date(iso).toISOString(); // 2026-03-01T22:00:00.000Z
  const ms = d.slice(20, 23);
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}T${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}${ms === '000' ? '' : `.${ms}`}Z`;
}

export function bundleFileName(caseRef: string, from: string, to: string): string {
  return `${caseRef}_${basicIso(from)}_${basicIso(to)}.zip`;
}
