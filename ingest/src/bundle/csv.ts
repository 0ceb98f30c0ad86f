/**
 * The bundle's data files (DESIGN §6), RFC 4180: fields separated by commas,
 * records ended by CRLF, a field quoted when it holds a comma, a quote or a line
 * break, a quote inside it doubled (RFC 4180 §2 rules 1–7). Levels are written
 * as stored (0.01 dB, DESIGN §3); an empty field is digital silence (null).
 * data/levels.csv streams: rows are joined in chunks, never into one string.
 */
import { exhibitsCovering } from './event-exhibits.ts';
import type { Exhibit, RecordingExhibit } from './exhibits.ts';
import { LondonClock } from './london-clock.ts';
import type { BundleModel, LevelRow } from './model.ts';

// RFC 4180 §2 rule 2 / 6: CRLF ends a record.
const CRLF = '\r\n';
export const CRLF_BYTES = Uint8Array.of(13, 10);
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * OWASP "CSV Injection": a cell starting with = + - @, tab or CR is read by
 * spreadsheets as a formula. Text from residents (diary) and devices (rule ids)
 * could start so; such a text cell is prefixed with a single quote, which shows
 * the text as it was and runs nothing. Numbers are never prefixed (-3.5 stays a number).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180 §2 rules 5–7; text cells neutralised against formula injection. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = typeof value === 'number' ? String(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRecord(fields: readonly (string | number | null)[]): string {
  return fields.map(csvField).join(',') + CRLF;
}

export const LEVELS_HEADER = ['time_utc', 'time_london', 'duration_s', 'LAeq', 'LCeq', 'LZeq', 'LAFmax', 'LAFmin', 'LASmax', 'LCpeak', 'device', 'clock_flag'] as const;

/** Rows per chunk yielded (≈ 100 kB of text). */
const ROWS_PER_CHUNK = 1_000;

/**
 * Formats levels.csv rows fast (2.6 M rows in a month): times are cut from a
 * per-minute prefix (UK offsets change only on the hour), and levels held to
 * 0.01 dB (DESIGN §3) come from a table of their strings, identical to String(v).
 */
export class LevelRowFormatter {
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
    return `${utc},${this.#localPrefix}${sec}${this.#localSuffix},${r.d},${this.level(r.LAeq)},${this.level(r.LCeq)},${this.level(r.LZeq)},${this.level(r.LAFmax)},${this.level(r.LAFmin)},${this.level(r.LASmax)},${this.level(r.LCpeak)},${csvField(r.deviceId)},${r.clockFlag ?? ''}${CRLF}`;
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

/** DESIGN §6 columns of data/events.csv, then the background and the Noise Act figures. */
export const EVENTS_HEADER = [
  'event_id', 'device', 'kind', 'rule_id', 'state', 'start_utc', 'start_london', 'end_utc', 'end_london', 'duration_s', 'LAeq', 'LAFmax',
  'threshold_db', 'over_by_db', 'clock_flag', 'exhibits', 'LAF90', 'permitted_db', 'exceedance_db',
] as const;

export function eventsCsv(model: BundleModel, exhibits: readonly Exhibit[]): string {
  const clock = new LondonClock();
  const refs = exhibitsCovering(model.events, exhibits);
  const rows = model.events.map((e) => {
    // DESIGN §6: an event still open at the end of the period has no end; a button press has no rule.
    const end = e.state === 'ongoing' ? null : e.end;
    return csvRecord([
      e.id, e.deviceId, e.kind, e.kind === 'incident' ? null : e.ruleId, e.state, e.start, clock.iso(Date.parse(e.start)), end, end === null ? null : clock.iso(Date.parse(end)),
      e.durationSeconds, e.LAeq, e.LAFmax, e.thresholdDb, e.overByDb, e.clockFlag, (refs.get(e) ?? []).join(' '), e.LAF90, e.permittedDb, e.exceedanceDb,
    ]);
  });
  return csvRecord(EVENTS_HEADER) + rows.join('');
}

export const DIARY_HEADER = [
  'entry_id', 'at_utc', 'at_london', 'text', 'measured_from_utc', 'measured_to_utc', 'LAeq', 'LAFmax', 'LA90_of_1s_LAeq', 'end_utc', 'end_london', 'device',
  'source', 'written_utc', 'received_utc', 'delayed', 'phone_recording_exhibit',
] as const;

/**
 * data/diary.csv: one row per entry and monitor that measured over its time
 * (`device` names it; two monitors' levels are never pooled, issue 10), and one
 * row with the measured columns empty for an entry nothing measured. Then who
 * made the entry (issue 13): `resident` (on their phone, at the time),
 * `officer` (entered later) or `import`; when the resident wrote it and when
 * the service received it; `delayed` when those are more than 10 minutes
 * apart; and the exhibit of the phone recording sent with it (not calibrated,
 * supporting only).
 */
export function diaryCsv(model: BundleModel, recordings: readonly RecordingExhibit[] = []): string {
  const clock = new LondonClock();
  const recordingRef = new Map(recordings.map((r) => [r.recording.diaryId, r.ref]));
  const rows = model.diary.flatMap((d) =>
    (d.measured.length === 0 ? [null] : d.measured).map((m) =>
      csvRecord([
        d.id, d.at, clock.iso(Date.parse(d.at)), d.text, m?.window.from ?? null, m?.window.to ?? null, m?.LAeq ?? null, m?.LAFmax ?? null, m?.LA90 ?? null,
        d.end ?? null, d.end === undefined ? null : clock.iso(Date.parse(d.end)), m?.deviceId ?? null,
        d.source ?? 'officer', d.writtenAt ?? null, d.receivedAt ?? null, d.delayed === true ? 'yes' : null, recordingRef.get(d.id) ?? null,
      ]),
    ),
  );
  return csvRecord(DIARY_HEADER) + rows.join('');
}

/** DESIGN §6 data/nights.csv: the required columns, then device and the night's own figures. */
export const NIGHTS_HEADER = [
  'night_of', 'monitored_s', 'coverage_pct', 'events', 'noise_act_exceedances', 'worst_5min_LAeq', 'worst_over_by_db', 'LAFmax_max', 'events_LAFmax_over_45', 'diary_entries',
  'device', 'night_start_utc', 'night_end_utc', 'night_s', 'periods_assessed', 'incidents', 'permitted_level_db', 'underlying_limit_db', 'excess_db',
] as const;

export function nightsCsv(model: BundleModel): string {
  const rows = model.nights.map((n) =>
    csvRecord([
      n.nightOf, n.monitoredSeconds, n.coveragePct, n.events, n.noiseActExceedances, n.worstLAeq, n.worstOverByDb, n.LAFmaxMax, n.eventsLAFmaxOver45, n.diaryEntries,
      n.deviceId, n.start, n.end, n.nightSeconds, n.periodsAssessed, n.incidents, n.noiseAct.permittedLevelDb, n.noiseAct.underlyingLimitDb, n.noiseAct.excessDb,
    ]),
  );
  return csvRecord(NIGHTS_HEADER) + rows.join('');
}
