/**
 * What an unauthenticated peer may cost the broker (issue 11): how many
 * connections may wait for authentication (per address and in all), how many
 * failed CONNECTs an address may make (a token bucket) before it is backed off —
 * its new connections closed at accept, unread, for a time that doubles with
 * each offence — and how many slow (older scrypt-hashed) secret checks a device
 * id may cause. Pure bookkeeping: the caller passes the time.
 */
import { type BucketOptions, Budget } from './rate-limit.ts';

export interface PreAuthLimits {
  /** Largest packet before authentication: a CONNECT is a few hundred bytes (ids ≤ 64, a 43-character secret, an optional will, dropped). */
  readonly maxConnectBytes: number;
  /** A connection must be authenticated this soon after it opens (the monitor itself gives up after 30 s). */
  readonly deadlineMs: number;
  readonly maxPerAddress: number;
  readonly maxTotal: number;
}

export const PRE_AUTH_LIMITS: PreAuthLimits = { maxConnectBytes: 4 * 1024, deadlineMs: 10_000, maxPerAddress: 64, maxTotal: 2_048 };

export interface FailureBudgets {
  /** Failed CONNECTs per source address (IPv4 address, IPv6 /64). */
  readonly address: BucketOptions;
  /** Slow secret checks that failed, per device id. */
  readonly device: BucketOptions;
}

/** 20 failures at once, then one per 5 s: a monitor with a wrong secret retries every few seconds at most. */
export const FAILURE_BUDGETS: FailureBudgets = { address: { burst: 20, perSecond: 0.2 }, device: { burst: 10, perSecond: 0.2 } };

export const BACKOFF_FIRST_MS = 1_000;
export const BACKOFF_MAX_MS = 5 * 60_000;
/** Addresses and device ids tracked at once; the oldest are forgotten first (a Map keeps insertion order). */
export const MAX_TRACKED = 20_000;

/** The key an address is budgeted under: IPv4 (or IPv4-mapped) as is, IPv6 by its /64 (RFC 4291 §2.5.4: one site's subnet). */
export function addressKey(address: string | undefined): string {
  if (address === undefined) return 'unknown';
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4 !== null) return v4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

interface Backoff {
  until: number;
  level: number;
}

export type Admission = 'ok' | 'backed-off' | 'address-full' | 'full';

function remember<V>(map: Map<string, V>, key: string, value: V): V {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED) map.delete(map.keys().next().value as string);
  return value;
}

export class ConnectionGate {
  private total = 0;
  private readonly pending = new Map<string, number>();
  private readonly addressBudgets = new Map<string, Budget>();
  private readonly deviceBudgets = new Map<string, Budget>();
  private readonly backoffs = new Map<string, Backoff>();

  constructor(readonly limits: PreAuthLimits = PRE_AUTH_LIMITS, private readonly budgets: FailureBudgets = FAILURE_BUDGETS) {}

  /** At accept: may this address open one more unauthenticated connection? 'ok' counts it (release it later). */
  admit(key: string, now: number): Admission {
    if (this.backedOff(key, now)) return 'backed-off';
    const held = this.pending.get(key) ?? 0;
    if (held >= this.limits.maxPerAddress) return 'address-full';
    if (this.total >= this.limits.maxTotal) return 'full';
    this.pending.set(key, held + 1);
    this.total++;
    return 'ok';
  }

  /** The connection was authenticated or closed. */
  release(key: string): void {
    const held = this.pending.get(key) ?? 0;
    if (held <= 1) this.pending.delete(key);
    else this.pending.set(key, held - 1);
    if (held > 0) this.total--;
  }

  backedOff(key: string, now: number): boolean {
    const b = this.backoffs.get(key);
    return b !== undefined && b.until > now;
  }

  /** Whether the address may still fail (checked before its CONNECT is). */
  mayTry(key: string, now: number): boolean {
    return !this.backedOff(key, now) && (this.addressBudgets.get(key)?.has(now) ?? true);
  }

  /** A failed CONNECT from `key`; returns the back-off started (ms), or 0. */
  failed(key: string, now: number): number {
    const budget = this.addressBudgets.get(key) ?? remember(this.addressBudgets, key, new Budget(this.budgets.address, now));
    budget.tryTake(now);
    if (budget.has(now)) return 0;
    const prev = this.backoffs.get(key);
    // An address that has behaved for twice the longest back-off starts again from the first.
    const level = prev === undefined || now - prev.until > 2 * BACKOFF_MAX_MS ? 1 : prev.level + 1;
    const ms = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (level - 1));
    remember(this.backoffs, key, { until: now + ms, level });
    return ms;
  }

  /** May this device id cause one more slow check now? Spends from its budget when it may. */
  mayCheckSlowly(deviceId: string, now: number): boolean {
    return this.deviceBudgets.get(deviceId)?.has(now) ?? true;
  }

  /** A slow check for `deviceId` failed. */
  slowCheckFailed(deviceId: string, now: number): void {
    const budget = this.deviceBudgets.get(deviceId) ?? remember(this.deviceBudgets, deviceId, new Budget(this.budgets.device, now));
    budget.tryTake(now);
  }

  get unauthenticated(): number {
    return this.total;
  }
}
