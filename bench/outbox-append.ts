/**
 * Outbox journal with its fsync policy (firmware/src/outbox/outbox.ts): appends
 * of 10-record levels batches (each fsynced before enqueue returns), then
 * taking them for publishing in windows of 16 (signed, one fsync per window)
 * and acknowledging them (no fsync; segments deleted as they empty).
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
const outbox = Outbox.open({ dir, deviceId: 'bench-device', privateKey });
const bodies = Array.from({ length: MESSAGES }, (_, i) => batch(i * 10, 10, levelOf));

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
const drainS = Number(process.hrtime.bigint() - t0) / 1e9;
const drainFsyncs = fsyncs;
outbox.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  `outbox append (10-record levels batches, fsync each): ${(MESSAGES / appendS).toFixed(0)} appends/s, ${(appendS * 1e6 / MESSAGES).toFixed(0)} µs each, ` +
  `${(appendFsyncs / MESSAGES).toFixed(2)} fsyncs/message, ${(bytes / MESSAGES).toFixed(0)} journal bytes/message`,
);
console.log(
  `outbox sign+publish+ack (window ${WINDOW}): ${(sent / drainS).toFixed(0)} messages/s, ${(drainFsyncs / sent).toFixed(3)} fsyncs/message; ` +
  `total ${((appendFsyncs + drainFsyncs) / MESSAGES).toFixed(2)} fsyncs per levels message`,
);
