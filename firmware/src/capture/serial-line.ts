/**
 * Lines from a serial sound level meter → level records, by a configured regular
 * expression whose named groups are the LevelRecord fields it reports, e.g.
 * `LAeq=(?<LAeq>\d+\.\d) LAFmax=(?<LAFmax>\d+\.\d)`. Fields the meter does not
 * report are null. Pure: the arrival time is passed in.
 */
import { EarshotError, type ErrorInfo, type LevelRecord } from '@earshot/shared';
import { LEVEL_FIELDS, type LevelField, emptyRecord } from './level-fields.ts';

/** Levels outside the LevelRecord schema's range (shared/src/schemas/common.ts Level) are a misparse. */
const MIN_DB = -200;
const MAX_DB = 250;

export type LineResult = { ok: true; record: LevelRecord } | { ok: false; error: ErrorInfo } | { ok: true; record: null };

export class SerialLineParser {
  readonly fields: readonly LevelField[];
  private readonly regex: RegExp;

  /** Throws EarshotError EARSHOT_E_CONFIG_INVALID for a bad pattern or one naming no level field. */
  constructor(pattern: string, readonly intervalSeconds = 1) {
    const fields = checkPattern(pattern);
    if (typeof fields === 'string') throw new EarshotError('EARSHOT_E_CONFIG_INVALID', fields);
    this.regex = new RegExp(pattern);
    this.fields = fields;
  }

  /** Parses one line that arrived at `arrivedAtMs`; blank lines give `record: null`. */
  parse(line: string, arrivedAtMs: number): LineResult {
    const text = line.trim();
    if (text === '') return { ok: true, record: null };
    const m = this.regex.exec(text);
    if (m === null || m.groups === undefined) return { ok: false, error: { code: 'EARSHOT_E_SERIAL_LINE', detail: `no match: ${JSON.stringify(text.slice(0, 80))}` } };
    // The reading covers the interval that ends as the line arrives.
    const record = emptyRecord(arrivedAtMs - this.intervalSeconds * 1000, this.intervalSeconds);
    let any = false;
    for (const f of this.fields) {
      const raw = m.groups[f];
      if (raw === undefined) continue;
      const v = Number(raw.replace(',', '.'));
      if (!Number.isFinite(v) || v < MIN_DB || v > MAX_DB) {
        return { ok: false, error: { code: 'EARSHOT_E_SERIAL_LINE', detail: `${f} = ${JSON.stringify(raw)} is not a level in dB` } };
      }
      record[f] = v;
      any = true;
    }
    if (!any) return { ok: false, error: { code: 'EARSHOT_E_SERIAL_LINE', detail: `no level in: ${JSON.stringify(text.slice(0, 80))}` } };
    return { ok: true, record };
  }
}

/** The level fields a pattern's named groups name, or a message saying what is wrong with it. */
export function checkPattern(pattern: string): LevelField[] | string {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch (e) {
    return `serial meter pattern is not a regular expression: ${(e as Error).message}`;
  }
  // Named groups, from the source (RegExp exposes no list of them).
  const names = [...regex.source.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
  const unknown = names.filter((n) => !(LEVEL_FIELDS as readonly string[]).includes(n));
  if (unknown.length > 0) return `serial meter pattern names ${unknown.join(', ')}; named groups must be among ${LEVEL_FIELDS.join(', ')}`;
  if (names.length === 0) return `serial meter pattern has no named group (e.g. (?<LAeq>\\d+\\.\\d))`;
  return names as LevelField[];
}
