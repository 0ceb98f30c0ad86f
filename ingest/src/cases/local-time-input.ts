/**
 * Times as residents write them. An instant with an offset (2026-03-01T22:15:00Z,
 * …+01:00) is taken as is; a wall-clock time without one is Europe/London local
 * time: ISO style `2026-03-01 22:15[:ss]` / `2026-03-01T22:15` or UK style
 * `01/03/2026 22:15` (day first, as UK spreadsheets export it). A local time in
 * the repeated autumn hour is ambiguous and one in the spring gap does not exist:
 * both are refused rather than guessed.
 */
import { z } from 'zod';
import { londonLocalToUtc } from './london-time.ts';

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const UK_LOCAL = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const WITH_OFFSET = z.iso.datetime({ offset: true, local: false });

export type TimeParse = { readonly ms: number } | { readonly problem: string };

export function parseResidentTime(text: string): TimeParse {
  const s = text.trim();
  if (WITH_OFFSET.safeParse(s).success) return { ms: Date.parse(s) };
  let parts: (number | undefined)[] | undefined;
  const iso = ISO_LOCAL.exec(s);
  if (iso !== null) parts = [iso[1], iso[2], iso[3], iso[4], iso[5], iso[6]].map((x) => (x === undefined ? undefined : Number(x)));
  const uk = UK_LOCAL.exec(s);
  if (uk !== null) parts = [uk[3], uk[2], uk[1], uk[4], uk[5], uk[6]].map((x) => (x === undefined ? undefined : Number(x)));
  if (parts === undefined) return { problem: `"${s}" is not a date and time (e.g. 2026-03-01 22:15 or 01/03/2026 22:15)` };
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0] = parts;
  const candidates = londonLocalToUtc(y, mo, d, h, mi, sec);
  if (candidates.length === 0) return { problem: `"${s}" is not a time that exists in London` };
  if (candidates.length > 1) return { problem: `"${s}" is ambiguous (clocks went back): add +01:00 or +00:00` };
  return { ms: candidates[0] ?? 0 };
}

/** zod: a resident's time → milliseconds since the epoch. */
export const ResidentTime = z.string().transform((s, ctx): number => {
  const r = parseResidentTime(s);
  if ('ms' in r) return r.ms;
  ctx.addIssue({ code: 'custom', message: r.problem });
  return z.NEVER;
});
