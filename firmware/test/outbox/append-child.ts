/**
 * Child process for the crash test: appends level batches to the outbox in
 * argv[2] as fast as it can and prints the start second of each batch once
 * enqueue has returned, until it is killed. Key: argv[3] (PKCS#8 PEM file).
 * Batches vary in size so appends straddle segment boundaries.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeSync } from 'node:fs';
import { Outbox } from '../../src/outbox/index.ts';
import { batch } from './helpers.ts';

const [dir, keyPath, startArg] = process.argv.slice(2);
const outbox = Outbox.open({ dir: dir!, deviceId: 'dev-test-1', privateKey: createPrivateKey(readFileSync(keyPath!)), segmentBytes: 64 * 1024 });
let second = Number(startArg);
for (;;) {
  const count = 1 + (second % 17);
  outbox.enqueue('levels', batch(second, count, (s) => 30 + (s % 50)));
  writeSync(1, `${second}\n`);
  second += count;
}
