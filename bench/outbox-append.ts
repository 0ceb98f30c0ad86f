/**
 * Outbox journal with its fsync policy (firmware/src/outbox/outbox.ts): one
 * append per 1 s level record, as the daemon journals them (issue 18; each
 * fsynced before enqueue returns; goal ≥ 1 000/s, a thousand monitors' worth of
 * headroom), then taking them for publishing in windows of 16 with wire
 * batching (10 records per levels message, as levelsBatch; signed, one fsync
 * per window) and acknowledging them (no fsync; segments deleted as they empty).
 * Prints appends/s and fsyncs per message. Run: npx tsx bench/outbox-append.ts
 */
import { generateKeyPairSync } from 'node:crypto';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../firmware/src/outbox/index.ts';
import { batch } from '../firmware/test/outbox/helpers.ts';

/** 0.01 dB values, as the engine writes them (a realistic JSON size). */
const levelOf = (s: number): number => 35 + ((s * 7919) % 3000) / 100;

const MESSAGES = 5_000;
/** RemoteConfig.levelsBatch: records per levels message on the wire. */
const WIRE_BATCH = 10;
const WINDOW = 16;

let fsyncs = 0;
const realFsync = fs.fsyncSync;
fs.fsyncSync = (fd: number): void => {
  fsyncs++;
  realFsync(fd);
};
syncBuiltinESMExports(); // the outbox's named import of fsyncSync now counts too

const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-outbox-'));
const { privateKey } = generateKeyPairSync('ed25519');
const outbox = Outbox.open({ dir, deviceId: 'bench-device', privateKey, wireBatchRecords: WIRE_BATCH });
const bodies = Array.from({ length: MESSAGES }, (_, i) => batch(i, 1, levelOf));

fsyncs = 0;
let t0 = process.hrtime.bigint();
for (const b of bodies) outbox.enqueue('levels', b);
const appendS = Number(process.hrtime.bigint() - t0) / 1e9;
const appendFsyncs = fsyncs;
const bytes = outbox.stats().journalBytes;

fsyncs = 0;
t0 = process.hrtime.bigint();
let sent = 0;
for (;;) {
  const parts = outbox.take(WINDOW);
  if (parts.length === 0) break;
  for (const p of parts) outbox.ack(p);
  sent += parts.length;
}
const records = MESSAGES;
const drainS = Number(process.hrtime.bigint() - t0) / 1e9;
const drainFsyncs = fsyncs;
outbox.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  `outbox append (one 1 s level record per append, fsync each): ${(MESSAGES / appendS).toFixed(0)} appends/s, ${(appendS * 1e6 / MESSAGES).toFixed(0)} µs each, ` +
  `${(appendFsyncs / MESSAGES).toFixed(2)} fsyncs/append, ${(bytes / MESSAGES).toFixed(0)} journal bytes/record`,
);
console.log(
  `outbox sign+publish+ack (window ${WINDOW}, ${WIRE_BATCH} records per levels message): ${(sent / drainS).toFixed(0)} messages/s (${(records / drainS).toFixed(0)} records/s), ` +
  `${(drainFsyncs / sent).toFixed(3)} fsyncs/message; total ${((appendFsyncs + drainFsyncs) / records).toFixed(2)} fsyncs per 1 s record`,
);
