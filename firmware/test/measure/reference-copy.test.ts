/** The IEC figures used by the conformance suite are a verbatim copy of the project's shared reference. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE, table3, table4, table5 } from './reference/iec-tables.ts';

const SHARED = fileURLToPath(new URL('../../../../shared/reference/iec61672-1-tables.md', import.meta.url));

describe('IEC 61672-1 reference tables', () => {
  it.runIf(existsSync(SHARED))('match ../shared/reference byte for byte', () => {
    expect(readFileSync(REFERENCE_FILE, 'utf8')).toBe(readFileSync(SHARED, 'utf8'));
  });

  it('parse completely', () => {
    expect(table3).toHaveLength(34);
    expect(table3[0]).toEqual({ hz: 10, A: -70.4, C: -14.3, class1: { upper: 3, lower: -Infinity }, class2: { upper: 5, lower: -Infinity } });
    expect(table4).toHaveLength(12);
    expect(table5).toHaveLength(4);
  });
});
