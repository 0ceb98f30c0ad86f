/**
 * The bundle's data files (DESIGN §6), RFC 4180: fields separated by commas,
 * records ended by CRLF, a field quoted when it holds a comma, a quote or a line
 * break, a quote inside it doubled (RFC 4180 §2 rules 1–7). Levels are written
 * as stored (0.01 dB, DESIGN §3); an empty field is digital silence (null).
 * data/levels.csv streams: rows are joined in chunks, never into one string.
 */
import type { Exhibit } from './exhibits.ts';
import { exhibitsByEvent } from './exhibits.ts';
import { LondonClock } from './london-clock.ts';
import type { BundleModel, LevelRow } from './model.ts';

// RFC 4180 §2 rule 2 / 6: CRLF ends a record.
const CRLF = '\r\n';
const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 §2 rules 5–7. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRecord(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(',') + CRLF;
}

export const LEVELS_HEADER = ['time_utc', 'time_london', 'duration_s', 'LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak', 'device'] as const;

/** Rows per chunk yielded (≈ 100 kB of text). */
const ROWS_PER_CHUNK = 1_000;

/**
 * Formats levels.csv rows fast (2.6 M rows in a month): times are cut from a
 * per-minute prefix (UK offsets change only on the hour), and levels held to
 * 0.01 dB (DESIGN §3) come from a table of their strings, identical to String(v).
 */
class LevelRowFormatter {
  readonly #clock = new LondonClock();
  #minute = Number.NaN;
  #utcPrefix = '';
  #localPrefix = '';
  #localSuffix = '';
  /** String of k / 100 at index k + LEVEL_TABLE_OFFSET. */
  readonly #table: (string | undefined)[] = new Array<string | undefined>(LEVEL_TABLE_SIZE);

  level(v: number | null): string {
    if (v === null) return '';
    const k = Math.round(v * 100);
    const i = k + LEVEL_TABLE_OFFSET;
    if (k / 100 !== v || i < 0 || i >= LEVEL_TABLE_SIZE) return String(v);
    return (this.#table[i] ??= String(k / 100));
  }

  row(r: LevelRow): string {
    const t = r.t;
    const minute = Math.floor(t / 60_000);
    if (minute !== this.#minute) {
      this.#minute = minute;
      const m0 = minute * 60_000;
      const off = this.#clock.offsetMs(m0);
      this.#utcPrefix = new Date(m0).toISOString().slice(0, 17);
      this.#localPrefix = new Date(m0 + off).toISOString().slice(0, 17);
      this.#localSuffix = off === 0 ? '+00:00' : '+01:00';
    }
    const ms = t - minute * 60_000;
    const sec = TWO_DIGITS[Math.floor(ms / 1000)]!;
    const frac = ms % 1000;
    const utc = `${this.#utcPrefix}${sec}.${frac === 0 ? '000' : String(frac).padStart(3, '0')}Z`;
    return `${utc},${this.#localPrefix}${sec}${this.#localSuffix},${r.d},${this.level(r.LAeq)},${this.level(r.LCeq)},${this.level(r.LZeq)},${this.level(r.LAFmax)},${this.level(r.LAFmin)},${this.level(r.LASmax)},${this.level(r.LCpeak)},${csvField(r.deviceId)}${CRLF}`;
  }
}

/** Levels are bounded to −200 … 250 dB (shared Level schema). */
const LEVEL_TABLE_OFFSET = 20_000;
const LEVEL_TABLE_SIZE = 45_001;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Gathers rows into chunks of ROWS_PER_CHUNK, the header first. */
class LevelsChunker {
  readonly #format = new LevelRowFormatter();
  #chunk = csvRecord(LEVELS_HEADER);
  #rows = 0;

  /** Adds a row; returns a full chunk when one is ready. */
  add(r: LevelRow): string | null {
    this.#chunk += this.#format.row(r);
    if (++this.#rows < ROWS_PER_CHUNK) return null;
    return this.rest();
  }

  rest(): string {
    const out = this.#chunk;
    this.#chunk = '';
    this.#rows = 0;
    return out;
  }
}

function* levelsCsvSync(rows: Iterable<LevelRow>): Generator<string> {
  const c = new LevelsChunker();
  for (const r of rows) {
    const chunk = c.add(r);
    if (chunk !== null) yield chunk;
  }
  yield c.rest();
}

async function* levelsCsvAsync(rows: AsyncIterable<LevelRow>): AsyncGenerator<string> {
  const c = new LevelsChunker();
  for await (const r of rows) {
    const chunk = c.add(r);
    if (chunk !== null) yield chunk;
  }
  yield c.rest();
}

/** data/levels.csv as text chunks of ROWS_PER_CHUNK rows (a sync source is read without a promise per row). */
export function levelsCsv(rows: Iterable<LevelRow> | AsyncIterable<LevelRow>): Iterable<string> | AsyncIterable<string> {
  return Symbol.iterator in rows ? levelsCsvSync(rows) : levelsCsvAsync(rows);
}

export function eventsCsv(model: BundleModel, exhibits: readonly Exhibit[]): string {
  const clock = new LondonClock();
  const refs = exhibitsByEvent(exhibits);
  const head = csvRecord(['event_id', 'rule', 'device', 'start_utc', 'end_utc', 'start_london', 'end_london', 'duration_s', 'LAeq', 'LAFmax', 'LAF90', 'permitted_dB', 'exceedance_dB', 'exhibits']);
  const rows = model.events.map((e) =>
    csvRecord([e.id, e.ruleId, e.deviceId, e.start, e.end, clock.iso(Date.parse(e.start)), clock.iso(Date.parse(e.end)), e.durationSeconds, e.LAeq, e.LAFmax, e.LAF90, e.permittedDb, e.exceedanceDb, (refs.get(e.id) ?? []).join(' ')]),
  );
  return head + rows.join('');
}

export function diaryCsv(model: BundleModel): string {
  const clock = new LondonClock();
  const head = csvRecord(['entry_id', 'at_utc', 'at_london', 'text', 'measured_from_utc', 'measured_to_utc', 'LAeq', 'LAFmax', 'LA90_of_1s_LAeq']);
  const rows = model.diary.map((d) =>
    csvRecord([d.id, d.at, clock.iso(Date.parse(d.at)), d.text, d.measured?.window.from ?? null, d.measured?.window.to ?? null, d.measured?.LAeq ?? null, d.measured?.LAFmax ?? null, d.measured?.LA90 ?? null]),
  );
  return head + rows.join('');
}
