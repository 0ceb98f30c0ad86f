/**
 * An analog sound-level module (e.g. a 30–130 dBA module whose output is
 * dBA = 50 × volts) on a Firmata board's ADC, read through johnny-five. A Sensor
 * samples it at `sampleHz` (≥ 10 Hz), each reading is converted to dB and the
 * readings are aggregated into records (default 1 s; other lengths are regrouped
 * into 1 s records, second-regrouper.ts). The levels bypass the DSP;
 * there is no audio, so no clips.
 */
import five from 'johnny-five';
import type { FirmataBoard } from '../io/firmata-board.ts';
import { type AnalogScale, DbaAggregator, dbOfAdc } from './dba-aggregator.ts';
import { SourceHealth } from './health.ts';
import { SecondRegrouper } from './second-regrouper.ts';
import type { CaptureHealth, Clock, LevelSink, LevelSource } from './types.ts';

export interface FirmataAnalogOptions extends Partial<AnalogScale> {
  board: FirmataBoard;
  /** Analog pin, e.g. "A0". */
  pin: string | number;
  /** Readings per second, at least 10 (the minimum); default 10. */
  sampleHz?: number;
  intervalSeconds?: number;
  now?: Clock;
}

export class FirmataAnalogSource implements LevelSource {
  readonly kind = 'levels';
  readonly name: string;
  private readonly options: FirmataAnalogOptions;
  private readonly scale: AnalogScale;
  private readonly now: Clock;
  private readonly health_: SourceHealth;
  private sensor: five.Sensor | null = null;
  private sink: LevelSink | null = null;
  private regrouper: SecondRegrouper | null = null;

  constructor(options: FirmataAnalogOptions) {
    this.options = options;
    this.scale = {
      slopeDbPerVolt: options.slopeDbPerVolt ?? 50,
      offsetDb: options.offsetDb ?? 0,
      vrefVolts: options.vrefVolts ?? 5,
      adcBits: options.adcBits ?? 10,
    };
    this.now = options.now ?? Date.now;
    this.name = `firmata:${String(options.pin)}`;
    this.health_ = new SourceHealth(this.name);
  }

  health(): CaptureHealth {
    return this.health_.snapshot();
  }

  async start(sink: LevelSink): Promise<void> {
    this.sink = sink;
    const sampleHz = Math.max(10, this.options.sampleHz ?? 10);
    const intervalSeconds = this.options.intervalSeconds ?? 1;
    const periodMs = 1000 / sampleHz;
    const aggregator = new DbaAggregator(Math.round(sampleHz * intervalSeconds), intervalSeconds);
    // Records of any other length than 1 s are regrouped into 1 s records for the rules and the levels topic.
    const regrouper = intervalSeconds === 1 ? null : new SecondRegrouper((r) => this.sink?.record(r));
    this.regrouper = regrouper;
    const board = this.options.board;
    // johnny-five's Sensor emits "data" every `freq` ms with the median of the ADC reports since the last one.
    const sensor = new five.Sensor({ pin: this.options.pin, freq: periodMs, threshold: 0, board });
    this.sensor = sensor;
    sensor.on('data', (raw: unknown) => {
      if (typeof raw !== 'number') return;
      const record = aggregator.add(dbOfAdc(raw, this.scale), this.now(), periodMs);
      if (record === null) return;
      if (regrouper === null) this.sink?.record(record);
      else regrouper.add(record);
    });
    board.on('error', (e: unknown) => {
      const error = this.health_.error('EARSHOT_E_FIRMATA_BOARD', e instanceof Error ? e.message : String(e));
      this.sink?.event({ type: 'error', atMs: this.now(), error });
    });
    sink.event({ type: 'started', atMs: this.now(), detail: `pin ${String(this.options.pin)} at ${sampleHz} Hz` });
  }

  async stop(): Promise<void> {
    // Sensor.disable() stops its sampling interval (johnny-five lib/sensor.js); @types/johnny-five omits it.
    (this.sensor as unknown as { disable(): void } | null)?.disable();
    this.sensor = null;
    this.regrouper?.flush();
    this.regrouper = null;
    this.sink = null;
  }
}
