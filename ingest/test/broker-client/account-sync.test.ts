/**
 * The running service's half of keeping mosquitto's device accounts in step
 * with the registry (broker-client/account-sync.ts), on a real SQLite
 * registry: a change stamped before its write waited for the lock is still
 * applied, and a change is applied even when this process last told the
 * broker the same state (another process changed the account since).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startAccountSync } from '../../src/broker-client/account-sync.ts';
import type { DeviceAccounts } from '../../src/broker-client/device-accounts.ts';
import { type Ingest, openIngest } from '../../src/service/open-ingest.ts';

const dirs: string[] = [];
const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setUp(): { ingest: Ingest; calls: [string, boolean][] } {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-account-sync-'));
  dirs.push(dir);
  const ingest = openIngest(dir);
  stops.push(() => ingest.close());
  const calls: [string, boolean][] = [];
  const accounts = {
    setEnabled: async (id: string, enabled: boolean) => void calls.push([id, enabled]),
    add: async () => undefined,
  } as unknown as DeviceAccounts;
  const sync = startAccountSync({ registry: ingest.registry, accounts, logger: pino({ level: 'silent' }), connected: () => true, pollMs: 50 });
  stops.push(() => sync.stop());
  return { ingest, calls };
}

const after = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('account sync', () => {
  it('applies a change whose stamp is older than the last poll (its write waited for the lock)', async () => {
    const { ingest, calls } = setUp();
    ingest.registry.add('flat-1');
    await after(200);
    calls.length = 0;
    // Stamped 3 s ago, as by a command that then waited on the database's busy timeout before it committed.
    ingest.registry.disable('flat-1', Date.now() - 3_000);
    await after(200);
    expect(calls).toEqual([['flat-1', false]]);
  });

  it('applies each change once, even when it told the broker that state last (another process changed it since)', async () => {
    const { ingest, calls } = setUp();
    ingest.registry.add('flat-1');
    ingest.registry.disable('flat-1');
    await after(200);
    expect(calls.filter(([, e]) => !e)).toEqual([['flat-1', false]]);
    calls.length = 0;
    // Another process enables then disables within one poll: the broker may hold either; the latest is applied.
    const t = Date.now();
    ingest.registry.enable('flat-1', t + 1);
    ingest.registry.disable('flat-1', t + 2);
    await after(200);
    expect(calls).toEqual([['flat-1', false]]);
    await after(200);
    expect(calls).toEqual([['flat-1', false]]);
  });
});
