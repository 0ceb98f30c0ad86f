/** Test helpers for the outbox: temp dirs, keys, level batches, envelope reading. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEnvelope, verifyEnvelope, type LevelRecord, type LevelsBody } from '@earshot/shared';
import { Outbox, type OutboxOptions, type OutgoingPart } from '../../src/outbox/index.ts';

export const DEVICE = 'dev-test-1';
export const T0 = Date.parse('2026-11-20T22:00:00.000Z');

export interface Keys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function makeKeys(): Keys {
  return generateKeyPairSync('ed25519');
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `earshot-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openOutbox(dir: string, keys: Keys, extra: Partial<OutboxOptions> = {}): Outbox {
  return Outbox.open({ dir, deviceId: DEVICE, privateKey: keys.privateKey, ...extra });
}

/** One 1 s record starting `second` seconds after T0, all levels `level` (null: silence). */
export function record(second: number, level: number | null): LevelRecord {
  return {
    t: new Date(T0 + second * 1000).toISOString(),
    d: 1,
    LAeq: level,
    LCeq: level === null ? null : level + 5,
    LZeq: level === null ? null : level + 8,
    LAFmax: level === null ? null : level + 3,
    LAFmin: level === null ? null : level - 4,
    LASmax: level === null ? null : level + 1,
    LCpeak: level === null ? null : level + 20,
  };
}

/** A batch of `count` 1 s records from `first`, with levels from `levelOf`. */
export function batch(first: number, count: number, levelOf: (second: number) => number | null): LevelsBody {
  const records: LevelRecord[] = [];
  for (let s = first; s < first + count; s++) records.push(record(s, levelOf(s)));
  return { fullScaleDb: 120, records };
}

export interface Opened {
  readonly seq: number;
  readonly type: string;
  readonly body: unknown;
}

/** Opens a signed payload and checks its signature; throws if it does not verify. */
export function openSigned(payload: Buffer, publicKey: KeyObject): Opened {
  const o = openEnvelope(payload);
  if (!o.ok) throw new Error(o.error.detail);
  if (!verifyEnvelope(o.envelopeBytes, o.signature, publicKey)) throw new Error(`seq ${o.envelope.seq}: bad signature`);
  return { seq: o.envelope.seq, type: o.envelope.type, body: o.envelope.body };
}

/** Takes and acks everything, returning the parts in the order taken. */
export function drain(outbox: Outbox, window = 16): OutgoingPart[] {
  const all: OutgoingPart[] = [];
  for (;;) {
    const parts = outbox.take(window);
    if (parts.length === 0) return all;
    for (const p of parts) {
      all.push(p);
      outbox.ack(p);
    }
  }
}
