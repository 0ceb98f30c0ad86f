/**
 * The fleet bench's printed figures: one line per step, the scaling from one
 * ingest process to two, what the bottleneck is on this machine, and the CPU
 * cost per stored message turned into messages/s and devices per core.
 */
import { DRAIN_MS, type WindowRun } from './window.ts';

/** CPU seconds of each part, over some span. */
export interface CpuSplit {
  /** One entry per ingest process. */
  ingest: number[];
  postgres: number;
  mosquitto: number;
  /** This process: every simulated device's client and the LISTEN connection. */
  generator: number;
  /** Every core of the machine, busy (not idle, not iowait): the others' work too. */
  machine: number;
}

export interface StepFigures extends WindowRun {
  ingests: number;
  devices: number;
  windowS: number;
  /** Rows in `messages` after the drain. */
  rows: number;
  quarantined: Record<string, number>;
  /** Over the window only (how busy each part was), and over the window and the drain (what storing cost). */
  inWindow: CpuSplit;
  total: CpuSplit;
  /** Over `idleS` seconds before the window, the fleet connected and silent; `spanS` is the window and its drain. */
  idle: CpuSplit;
  idleS: number;
  spanS: number;
  /** Pairs a notification named twice or that were not of the window (none expected). */
  strangers: number;
  /** The machine's 1-minute load average at the end of the window (loadavg(3)). */
  load: number;
  cores: number;
  /** Broker sessions of each ingest process (mqtt.brokerConnections), each holding one message until its commit. */
  sessions: number;
  /** Device connections that closed during the step. */
  dropped: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-GB');
const ms = (n: number): string => (Number.isNaN(n) ? '–' : n < 10 ? `${n.toFixed(1)} ms` : `${fmt(n)} ms`);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const pct = (cpuS: number, s: StepFigures): string => `${(100 * cpuS / s.windowS).toFixed(0)} %`;
const perMsg = (cpuS: number, s: StepFigures): number => (1000 * cpuS) / Math.max(1, s.rows);

export interface Costs {
  ingest: number;
  postgres: number;
  mosquitto: number;
}

/** CPU ms per stored message of the three servers, over the window and its drain. */
export function costs(s: StepFigures): Costs {
  return { ingest: perMsg(sum(s.total.ingest), s), postgres: perMsg(s.total.postgres, s), mosquitto: perMsg(s.total.mosquitto, s) };
}

/** The same less what each part spends idle (its timers, probes, leases; the devices' keepalives) over as long. */
export function costsAboveIdle(s: StepFigures): Costs {
  const above = (total: number, idle: number): number => Math.max(0, perMsg(total - (idle / s.idleS) * s.spanS, s));
  return {
    ingest: above(sum(s.total.ingest), sum(s.idle.ingest)),
    postgres: above(s.total.postgres, s.idle.postgres),
    mosquitto: above(s.total.mosquitto, s.idle.mosquitto),
  };
}

export const offeredPerS = (s: StepFigures): number => s.sent / s.windowS;
export const storedPerS = (s: StepFigures): number => s.storedInWindow / s.windowS;

function lossText(s: StepFigures): string {
  const loss = s.sent - s.rows;
  if (loss === 0) return 'loss 0';
  const why = s.storedByDrain < s.sent && s.drainS >= DRAIN_MS / 1000 - 1 ? `still being stored when the ${DRAIN_MS / 1000} s drain ended: a backlog, not a drop` : 'nothing more stored for 15 s: lost';
  return `loss ${fmt(loss)} (${why})`;
}

export function stepLine(s: StepFigures): string {
  const c = costs(s);
  const a = costsAboveIdle(s);
  const q = Object.entries(s.quarantined);
  return `cluster load: ${s.ingests} ingest process${s.ingests === 1 ? '' : 'es'}, N=${fmt(s.devices)} devices: ${fmt(offeredPerS(s))} msg/s offered, ${fmt(storedPerS(s))} stored (committed in the window), `
    + `publish→stored p50 ${ms(s.p50Ms)}, p99 ${ms(s.p99Ms)}, max ${ms(s.maxMs)}, ${lossText(s)}${s.brokerAcked < s.sent ? ` (${fmt(s.sent - s.brokerAcked)} never PUBACKed by mosquitto)` : ''}, `
    + `CPU per stored message (above idle): ingest ${c.ingest.toFixed(3)} ms (${a.ingest.toFixed(3)}; ${s.inWindow.ingest.map((x) => pct(x, s)).join(' + ')} of a core), `
    + `PostgreSQL ${c.postgres.toFixed(3)} ms (${a.postgres.toFixed(3)}; ${pct(s.inWindow.postgres, s)}), mosquitto ${c.mosquitto.toFixed(3)} ms (${a.mosquitto.toFixed(3)}; ${pct(s.inWindow.mosquitto, s)}); `
    + `generator ${pct(s.inWindow.generator, s)}, machine ${(s.inWindow.machine / s.windowS).toFixed(2)} of ${s.cores} cores busy, late ≤ ${ms(s.lateMs)}, `
    + `load average ${s.load.toFixed(1)} (others' work too)`
    + (q.length === 0 ? '' : `; quarantined: ${q.map(([code, n]) => `${code} ${fmt(n)}`).join(', ')}`)
    + (s.dropped > 0 ? `; ${fmt(s.dropped)} device connections dropped` : '')
    + (s.strangers > 0 ? `; ${fmt(s.strangers)} notified pairs not of this window or seen twice` : '');
}

/** 1 → 2 ingest processes: what more was stored, and what it did to latency and cost. */
export function scalingLine(one: StepFigures, two: StepFigures): string {
  const carried = (s: StepFigures): boolean => s.rows === s.sent && s.p99Ms < 2_000;
  const head = `scaling 1 → 2 ingest processes: stored ${fmt(storedPerS(one))} → ${fmt(storedPerS(two))} msg/s (×${(storedPerS(two) / Math.max(1, storedPerS(one))).toFixed(2)}), `
    + `p99 ${ms(one.p99Ms)} → ${ms(two.p99Ms)}, ingest CPU per message ${costs(one).ingest.toFixed(3)} → ${costs(two).ingest.toFixed(3)} ms`;
  if (carried(one) && carried(two)) return `${head}; both carried the whole offered load (${fmt(offeredPerS(one))} msg/s), so throughput cannot show the scaling here: compare latency and CPU`;
  return head;
}

/** Which part limits the fleet here, from how busy each part and the machine were during the window. */
export function bottleneckLine(s: StepFigures): string {
  const busy = s.inWindow.machine / (s.windowS * s.cores);
  const parts: [string, number][] = [
    ['the ingest processes', sum(s.inWindow.ingest)],
    ['PostgreSQL', s.inWindow.postgres],
    ['mosquitto', s.inWindow.mosquitto],
    ['the load generator', s.inWindow.generator],
  ];
  const measured = sum(parts.map(([, v]) => v));
  parts.push(['everything else on the machine', Math.max(0, s.inWindow.machine - measured)]);
  const shares = parts.map(([name, v]) => `${name} ${(v / s.windowS).toFixed(2)}`).join(', ');
  const top = [...parts].sort((a, b) => b[1] - a[1])[0]!;
  const keptUp = s.rows === s.sent && s.storedInWindow >= 0.95 * s.sent && s.p99Ms < 2_000;
  const singleThread = s.inWindow.ingest.findIndex((x) => x / s.windowS >= 0.9);
  const what = busy >= 0.9
    ? `the machine's CPU: ${s.cores} cores ${(100 * busy).toFixed(0)} % busy, the most by ${top[0]}`
    : singleThread >= 0 && !keptUp
      ? `ingest process ${singleThread + 1}'s event loop (one thread at ${(100 * s.inWindow.ingest[singleThread]! / s.windowS).toFixed(0)} % of a core) with the machine ${(100 * busy).toFixed(0)} % busy`
      : !keptUp
        ? `not CPU (the machine ${(100 * busy).toFixed(0)} % busy) but the messages in flight: at most ${s.sessions} per process, one per broker session until its commit `
          + `(broker-client/connection.ts), so ${fmt(storedPerS(s))} msg/s is one turn (batch, commit with its fsync, PUBACK) every ${(1000 * s.sessions * s.ingests / Math.max(1, storedPerS(s))).toFixed(1)} ms per session; `
          + 'more sessions (mqtt.brokerConnections) or processes raise it'
        : `nothing saturated: the offered load was carried with the machine ${(100 * busy).toFixed(0)} % busy`;
  return `bottleneck with ${s.ingests} ingest process${s.ingests === 1 ? '' : 'es'} on this ${s.cores}-core machine: ${what} (cores used: ${shares})${keptUp ? '' : '; the offered load was NOT carried'}`;
}

/**
 * Per core: CPU ms per stored message → messages/s a core gives each part, and the three together (the
 * generator is the simulated fleet, not the service). A larger machine then carries about cores × that, while
 * nothing but CPU limits it; figures from a saturated machine overstate the cost (parts wait on each other).
 */
export function projectionLine(s: StepFigures): string {
  const c = costs(s);
  const all = c.ingest + c.postgres + c.mosquitto;
  const a = costsAboveIdle(s);
  const allAbove = a.ingest + a.postgres + a.mosquitto;
  const perCore = (m: number): string => fmt(1000 / Math.max(1e-9, m));
  const msgPerDevice = offeredPerS(s) / s.devices;
  const devicesPerCore = 1000 / all / msgPerDevice;
  return `per core (from the ${s.ingests}-process step): ingest ${c.ingest.toFixed(3)} ms/msg → ${perCore(c.ingest)} msg/s per core, PostgreSQL ${c.postgres.toFixed(3)} ms → ${perCore(c.postgres)}, `
    + `mosquitto ${c.mosquitto.toFixed(3)} ms → ${perCore(c.mosquitto)}; all three ${all.toFixed(3)} ms → ${perCore(all)} msg/s per core ≈ ${fmt(devicesPerCore)} devices per core `
    + `(${msgPerDevice.toFixed(3)} msg/s each; above idle ${allAbove.toFixed(3)} ms → ${perCore(allAbove)} msg/s per core); so ${fmt(s.devices)} devices need ≈ ${(s.devices / devicesPerCore).toFixed(1)} cores, and an 8-core machine carries ≈ ${fmt(8 * devicesPerCore)}, a 16-core one ≈ ${fmt(16 * devicesPerCore)}, `
    + 'if CPU stays the limit (PostgreSQL\'s commits and the evidence log\'s append lock do not scale with cores)';
}
