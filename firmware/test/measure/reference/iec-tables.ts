/**
 * Reads the IEC 61672-1:2013 figures from the reference file kept verbatim beside
 * this module (a copy of the project's shared/reference/iec61672-1-tables.md), so
 * no figure is transcribed into test code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REFERENCE_FILE = fileURLToPath(new URL('./iec61672-1-tables.md', import.meta.url));

/** Acceptance limits as deviations: measured − reference must lie in [lower, upper]. */
export interface Limits {
  upper: number;
  lower: number;
}

export interface Table3Row {
  hz: number;
  A: number;
  C: number;
  class1: Limits;
  class2: Limits;
}

export interface Table4Row {
  burstMs: number;
  fast: number;
  exposure: number;
  fastExposureClass1: Limits;
  slow: number | null;
  slowClass1: Limits | null;
}

export interface Table5Row {
  signal: string;
  reference: number;
  class1: Limits;
}

function num(cell: string): number {
  const v = Number(cell.trim().replace(/−/g, '-').replace(/^\+/, ''));
  if (Number.isNaN(v)) throw new Error(`not a number in reference table: "${cell}"`);
  return v;
}

/** "±1.0" → ±1; "+2.0; −4.0" → +2/−4; "+3.0; −∞" → +3/−∞. */
function limits(cell: string): Limits {
  const c = cell.trim().replace(/−/g, '-');
  if (c.startsWith('±')) {
    const v = num(c.slice(1));
    return { upper: v, lower: -v };
  }
  const [u, l] = c.split(';').map((s) => s.trim());
  if (u === undefined || l === undefined) throw new Error(`bad limits cell "${cell}"`);
  return { upper: num(u), lower: l === '-∞' ? -Infinity : num(l) };
}

function isMissing(cell: string): boolean {
  return /^[–-]$/.test(cell.trim());
}

function section(text: string, heading: string): string[][] {
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`reference table "${heading}" not found`);
  const rows: string[][] = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1);
    if (cells.every((c) => /^-+$/.test(c.trim()))) continue; // separator row
    rows.push(cells);
  }
  return rows.slice(1); // drop the header row
}

const text = readFileSync(REFERENCE_FILE, 'utf8');

export const table3: Table3Row[] = section(text, '## Table 3').map((c) => ({
  hz: num(c[0]!), A: num(c[1]!), C: num(c[2]!), class1: limits(c[3]!), class2: limits(c[4]!),
}));

export const table4: Table4Row[] = section(text, '## Table 4').map((c) => ({
  burstMs: num(c[0]!),
  fast: num(c[1]!),
  exposure: num(c[2]!),
  fastExposureClass1: limits(c[3]!),
  slow: isMissing(c[4]!) ? null : num(c[4]!),
  slowClass1: isMissing(c[5]!) ? null : limits(c[5]!),
}));

export const table5: Table5Row[] = section(text, '## Table 5').map((c) => ({
  signal: c[0]!.trim(), reference: num(c[1]!), class1: limits(c[2]!),
}));
