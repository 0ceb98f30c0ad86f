/**
 * The nuisance-rule engine: fed each completed 1 s interval of the measurement
 * engine (and, optionally, its 10 ms F levels), it returns the events that started
 * and ended. Pure and synchronous: no timers, no I/O, no clock of its own; the
 * device wall time of each interval comes in as an argument.
 *
 * A hot reload (`reconfigure`) keeps rules whose settings are unchanged, with their
 * open events and windows; rules removed or changed end their open event with reason
 * "reconfigured". `shutdown` ends every open event with reason "shutdown".
 */
import { DEFAULT_FULL_SCALE_DB, DEVICE_ID_PATTERN, EarshotError, type EventEnded, type RemoteConfig, type Rule } from '@earshot/shared';
import type { IntervalLevels } from '../measure/types.ts';
import { RuleLifecycle, type RuleOutput, type SuppressedCounts } from './lifecycle.ts';
import { LondonClock, type LocalTime } from './local-time.ts';
import { ruleCheck } from './rule-checks.ts';
import { type CompiledSchedule, compileSchedule, isArmed } from './schedule.ts';
import { WindowBank } from './windows.ts';

export interface RuleEngineOptions {
  /** DESIGN §4 device id ([a-z0-9-]{3,64}); the first part of every event id. */
  deviceId: string;
  /** A config validated by parseRemoteConfig (shared). */
  config: RemoteConfig;
  /** DESIGN §2 calibration of the levels fed in; default 120. */
  fullScaleDb?: number;
}

interface ActiveRule {
  readonly lifecycle: RuleLifecycle;
  readonly schedule: CompiledSchedule | null;
  /** The rule's settings as parsed, to tell an unchanged rule on reload. */
  readonly key: string;
}

const NONE: readonly RuleOutput[] = Object.freeze([]);

export class RuleEngine {
  readonly deviceId: string;
  private cfg: RemoteConfig;
  private rules: ActiveRule[] = [];
  private readonly bank: WindowBank;
  private readonly clock = new LondonClock();
  private readonly local: LocalTime = { weekday: 0, secondOfDay: 0 };
  private readonly suppressedByRule = new Map<string, SuppressedCounts>();
  private readonly out: RuleOutput[] = [];

  constructor(options: RuleEngineOptions) {
    if (!DEVICE_ID_PATTERN.test(options.deviceId)) throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `device id "${options.deviceId}" is not [a-z0-9-]{3,64}`);
    this.deviceId = options.deviceId;
    this.bank = new WindowBank(options.fullScaleDb ?? DEFAULT_FULL_SCALE_DB);
    this.cfg = options.config;
    this.install(options.config, []);
  }

  /** The config in force. */
  get config(): RemoteConfig {
    return this.cfg;
  }

  /** DESIGN §2 calibration of the levels fed in (e.g. after `calibrate`). */
  get fullScaleDb(): number {
    return this.bank.fullScaleDb;
  }

  set fullScaleDb(value: number) {
    this.bank.fullScaleDb = value;
  }

  /** One 10 ms A-weighted F level (LevelEngine's onTick), for the LAF90 backgrounds. */
  pushTick(lafDb: number | null): void {
    this.bank.pushTick(lafDb);
  }

  /**
   * One completed interval (LevelEngine's onInterval; 1 s intervals). `startMs` is the
   * device wall time (epoch ms) of the interval's start, the level record's `t`.
   * Returns the events started and ended in it, in order (an empty frozen array when none).
   */
  pushInterval(startMs: number, r: IntervalLevels): readonly RuleOutput[] {
    this.bank.pushInterval(r, startMs);
    const endMs = startMs + r.durationSeconds * 1_000;
    this.clock.localTime(startMs, this.local);
    const fs = this.bank.fullScaleDb;
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const a = rules[i]!;
      a.lifecycle.step(startMs, endMs, r, this.bank, isArmed(a.schedule, this.local), fs, this.out);
    }
    return this.drain();
  }

  /** Puts a new (validated) config in force; returns the events it ended. */
  reconfigure(config: RemoteConfig): readonly RuleOutput[] {
    const kept: ActiveRule[] = [];
    const byId = new Map(config.rules.map((rule) => [rule.id, JSON.stringify(rule)]));
    for (const a of this.rules) {
      if (byId.get(a.lifecycle.rule.id) === a.key) kept.push(a);
      else a.lifecycle.forceEnd('reconfigured', this.bank.fullScaleDb, this.out);
    }
    this.cfg = config;
    this.install(config, kept);
    return this.drain();
  }

  /** Ends every open event (reason "shutdown"); returns them. */
  shutdown(): readonly RuleOutput[] {
    for (const a of this.rules) a.lifecycle.forceEnd('shutdown', this.bank.fullScaleDb, this.out);
    return this.drain();
  }

  /** Ids of events started and not yet ended (the clips being recorded belong to them). */
  openEventIds(): string[] {
    const ids: string[] = [];
    for (const a of this.rules) {
      const id = a.lifecycle.openEventId;
      if (id !== null) ids.push(id);
    }
    return ids;
  }

  /** Every open event as it would end now (its statistics so far), without ending any: for a checkpoint. */
  openEventsEnded(): EventEnded[] {
    const out: EventEnded[] = [];
    for (const a of this.rules) {
      const e = a.lifecycle.snapshot(this.bank.fullScaleDb);
      if (e !== null) out.push(e);
    }
    return out;
  }

  /** Triggers suppressed by cooldown or the hourly cap, per rule id, since the engine started. */
  suppressedTriggers(): Record<string, SuppressedCounts> {
    const result: Record<string, SuppressedCounts> = {};
    for (const [id, counts] of this.suppressedByRule) result[id] = { ...counts };
    return result;
  }

  private install(config: RemoteConfig, kept: readonly ActiveRule[]): void {
    const keptById = new Map(kept.map((a) => [a.lifecycle.rule.id, a]));
    this.rules = config.rules.map((rule) => keptById.get(rule.id) ?? this.activate(rule));
    const windows = new Set<number>();
    for (const rule of config.rules) for (const s of ruleCheck(rule).windows) windows.add(s);
    this.bank.retain(windows);
  }

  private activate(rule: Rule): ActiveRule {
    let counts = this.suppressedByRule.get(rule.id);
    if (counts === undefined) {
      counts = { cooldown: 0, hourlyCap: 0 };
      this.suppressedByRule.set(rule.id, counts);
    }
    return {
      lifecycle: new RuleLifecycle(rule, ruleCheck(rule), this.deviceId, counts),
      schedule: rule.schedule === undefined ? null : compileSchedule(rule.schedule),
      key: JSON.stringify(rule),
    };
  }

  private drain(): readonly RuleOutput[] {
    return this.out.length === 0 ? NONE : this.out.splice(0);
  }
}
