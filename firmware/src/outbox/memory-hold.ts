/**
 * What the monitor measures while its disk is full (issue 18): held in bounded
 * memory, in order, until the journal takes it again. Pure and synchronous: the
 * daemon adds what the outbox refused and takes it back out (`next`/`shift`)
 * once writes succeed.
 *
 * The bound is on level records. Past it, the oldest held 1 s records are first
 * merged pairwise, energy-correctly (level-merge.ts), up to `maxRecordSeconds`;
 * once every held record is that coarse, the oldest are given up and a gap
 * record (DataGap, what "levels", reason "storage-full") covers the seconds they
 * spanned. The gap record is written first when space returns, so the ingest
 * learns of the hole before the records that follow it, and only once they can
 * follow it (the daemon writes it beyond the journal's reserve, as levels): one
 * outage, one gap record, however slowly the space comes back.
 *
 * Events (started, ended, incident marks, clip gaps) are never given up: their
 * number is bounded by the rules' own hourly caps (RemoteConfig
 * maxEventsPerHour), not by the disk.
 */
import { type DataGap, type EventBody, type LevelRecord, type LevelsBody, MAX_RECORDS_PER_BATCH } from '@earshot/shared';
import { halveRecords, sendableRecords } from './level-merge.ts';

/** One hour of 1 s records (≈ 300 bytes each in memory: ≈ 1 MB, against the Pi's 100 MB budget in README "Run it"). */
export const DEFAULT_HOLD_RECORDS = 3_600;
/**
 * Held records are merged no coarser than 60 s: the Noise Act 1996 permitted
 * level is judged on an LAeq over 5 minutes (Permitted Level of Noise (England)
 * Direction 2015), which whole minutes still give exactly. 3 600 such records
 * hold 60 hours.
 */
export const DEFAULT_HOLD_MAX_RECORD_SECONDS = 60;

export type HeldItem =
  | { readonly kind: 'levels'; readonly body: LevelsBody }
  | { readonly kind: 'event'; readonly body: EventBody };

export interface MemoryHoldOptions {
  readonly deviceId: string;
  readonly maxRecords?: number;
  readonly maxRecordSeconds?: number;
}

interface LevelsItem {
  readonly kind: 'levels';
  readonly fullScaleDb: number;
  records: LevelRecord[];
}
type Item = LevelsItem | { readonly kind: 'event'; readonly body: EventBody };

export interface HoldStats {
  readonly records: number;
  readonly events: number;
  /** Seconds the held level records cover. */
  readonly seconds: number;
  /** Seconds given up to the gap record not yet written. */
  readonly gapSeconds: number;
  /** When holding began (device time of the first thing held), null when nothing is held. */
  readonly since: string | null;
}

const endMs = (r: LevelRecord): number => Date.parse(r.t) + Math.round(r.d * 1000);

export class MemoryHold {
  private readonly items: Item[] = [];
  private readonly maxRecords: number;
  private readonly maxRecordSeconds: number;
  private records = 0;
  private events = 0;
  private seconds = 0;
  private gapFromMs: number | null = null;
  private gapToMs = 0;
  private gapCount = 0;
  private sinceMs: number | null = null;

  constructor(private readonly opts: MemoryHoldOptions) {
    this.maxRecords = opts.maxRecords ?? DEFAULT_HOLD_RECORDS;
    this.maxRecordSeconds = opts.maxRecordSeconds ?? DEFAULT_HOLD_MAX_RECORD_SECONDS;
  }

  /** Nothing held and no gap record waiting. */
  get empty(): boolean {
    return this.items.length === 0 && this.gapFromMs === null;
  }

  stats(): HoldStats {
    return {
      records: this.records,
      events: this.events,
      seconds: Math.round(this.seconds * 1000) / 1000,
      gapSeconds: this.gapFromMs === null ? 0 : (this.gapToMs - this.gapFromMs) / 1000,
      since: this.sinceMs === null ? null : new Date(this.sinceMs).toISOString(),
    };
  }

  /** Holds a body the journal refused, after everything held before it. */
  add(kind: 'levels' | 'event', body: LevelsBody | EventBody, nowMs: number): void {
    this.sinceMs ??= kind === 'levels' && 'records' in body && body.records[0] !== undefined ? Date.parse(body.records[0].t) : nowMs;
    if (kind === 'event') {
      this.items.push({ kind, body: body as EventBody });
      this.events++;
      return;
    }
    const levels = body as LevelsBody;
    const last = this.items[this.items.length - 1];
    let target: LevelsItem;
    if (last !== undefined && last.kind === 'levels' && last.fullScaleDb === levels.fullScaleDb && last.records.length + levels.records.length <= MAX_RECORDS_PER_BATCH) {
      target = last;
    } else {
      target = { kind: 'levels', fullScaleDb: levels.fullScaleDb, records: [] };
      this.items.push(target);
    }
    for (const r of levels.records) {
      target.records.push(r);
      this.records++;
      this.seconds += r.d;
    }
    this.bound();
  }

  /** The next thing to journal: the gap record first, then what was held, oldest first. */
  next(): HeldItem | null {
    const gap = this.gapBody();
    if (gap !== null) return { kind: 'event', body: gap };
    const item = this.items[0];
    if (item === undefined) return null;
    // Merged here, bands are kept to 0.01 dB (level-merge.ts); the journal takes them as they are sent.
    return item.kind === 'event' ? item : { kind: 'levels', body: { fullScaleDb: item.fullScaleDb, records: sendableRecords(item.records) as LevelRecord[] } };
  }

  /** The item `next` returned is journaled: let it go. */
  shift(): void {
    if (this.gapFromMs !== null) {
      this.gapFromMs = null;
      this.gapCount++;
    } else {
      const item = this.items.shift();
      if (item?.kind === 'event') this.events--;
      else if (item !== undefined) {
        this.records -= item.records.length;
        for (const r of item.records) this.seconds -= r.d;
      }
    }
    if (this.empty) {
      this.sinceMs = null;
      this.seconds = 0;
    }
  }

  /** The gap record for the seconds given up so far, or null. */
  gapBody(): DataGap | null {
    if (this.gapFromMs === null) return null;
    return {
      kind: 'gap',
      eventId: `${this.opts.deviceId}-${this.gapFromMs}-gap-${this.gapCount}`,
      what: 'levels',
      from: new Date(this.gapFromMs).toISOString(),
      to: new Date(this.gapToMs).toISOString(),
      reason: 'storage-full',
      detail: `monitor storage full: level records of ${(this.gapToMs - this.gapFromMs) / 1000} s not kept (memory bound ${this.maxRecords} records)`,
      clipIds: [],
    };
  }

  private bound(): void {
    while (this.records > this.maxRecords) {
      if (this.mergeOldest()) continue;
      this.dropOldest();
    }
  }

  /** Halves the oldest run of records still finer than maxRecordSeconds; false when none can be merged. */
  private mergeOldest(): boolean {
    for (const item of this.items) {
      if (item.kind !== 'levels') continue;
      const halved = halveRecords(item.records, this.maxRecordSeconds);
      if (halved.records.length < item.records.length) {
        this.records -= item.records.length - halved.records.length;
        item.records = halved.records;
        return true;
      }
    }
    return false;
  }

  private dropOldest(): void {
    const i = this.items.findIndex((it) => it.kind === 'levels');
    const item = this.items[i] as LevelsItem | undefined;
    const r = item?.records.shift();
    if (item === undefined || r === undefined) return;
    this.records--;
    this.seconds -= r.d;
    if (item.records.length === 0) this.items.splice(i, 1);
    if (this.gapFromMs === null) this.gapFromMs = Date.parse(r.t);
    this.gapToMs = endMs(r);
  }
}
