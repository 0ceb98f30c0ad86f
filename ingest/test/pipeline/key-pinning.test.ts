/** Trust on first use: a device's key is pinned from its first status that verifies with the key it presents. */
import { generateKeyPairSync } from 'node:crypto';
import { topics } from '@earshot/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDevice, count, type Fixture, incoming, levelsBody, makeFixture, statusBody } from './support/ingest-fixture.ts';

let f: Fixture;
beforeEach(() => {
  f = makeFixture();
});
afterEach(() => f.close());

const pemOf = (k: ReturnType<typeof generateKeyPairSync>['publicKey']): string => k.export({ format: 'pem', type: 'spki' }).toString();

describe('key pinning at first connection', () => {
  it('pins the key a status presents and verifies with, then accepts the device\'s messages', () => {
    const d = addDevice(f, 'dev-7', false);
    expect(f.registry.get('dev-7')?.publicKeyPem).toBeNull();
    const presented = { ...statusBody({ synced: true, offsetMs: 3 }), publicKeyPem: d.publicKeyPem };
    expect(f.pipeline.process(incoming(topics.status(d.id), d.sign('status', presented), d.id))).toMatchObject({ status: 'stored' });
    expect(f.registry.get('dev-7')?.publicKeyPem).toBe(d.publicKeyPem);
    expect(f.pipeline.process(incoming(topics.levels(d.id), d.sign('levels', levelsBody()), d.id))).toMatchObject({ status: 'stored' });
  });

  it('processes again, once the key is pinned, what the device sent before it (held, then released)', async () => {
    const d = addDevice(f, 'dev-11', false);
    const early = f.pipeline.process(incoming(topics.levels(d.id), d.sign('levels', levelsBody()), d.id));
    expect(early).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_KEY_NOT_PINNED' });
    const presented = { ...statusBody({ synced: true, offsetMs: 3 }), publicKeyPem: d.publicKeyPem };
    expect(f.pipeline.process(incoming(topics.status(d.id), d.sign('status', presented), d.id))).toMatchObject({ status: 'stored' });
    await new Promise((r) => setImmediate(r));
    expect(count(f.db, "levels WHERE device = 'dev-11'")).toBe(10);
    const row = f.db.prepare('SELECT released_as, released_at FROM quarantine WHERE id = ?').get((early as { quarantineId: number }).quarantineId) as { released_as: string; released_at: number };
    expect(row.released_as).toBe('stored');
    expect(row.released_at).toBeGreaterThan(0);
  });

  it('does not pin a key the status is not signed with, nor from other message types', () => {
    const d = addDevice(f, 'dev-8', false);
    const stranger = pemOf(generateKeyPairSync('ed25519').publicKey);
    const lying = { ...statusBody({ synced: true, offsetMs: 3 }), publicKeyPem: stranger };
    expect(f.pipeline.process(incoming(topics.status(d.id), d.sign('status', lying), d.id))).toMatchObject({ status: 'quarantined', code: 'EARSHOT_E_SIGNATURE_INVALID' });
    expect(f.pipeline.process(incoming(topics.levels(d.id), d.sign('levels', { ...levelsBody(), publicKeyPem: d.publicKeyPem }), d.id))).toMatchObject({ code: 'EARSHOT_E_KEY_NOT_PINNED' });
    expect(f.registry.get('dev-8')?.publicKeyPem).toBeNull();
  });

  it('never replaces a pinned key: a status presenting another key does not verify', () => {
    const d = addDevice(f, 'dev-9', true);
    const other = generateKeyPairSync('ed25519');
    const before = f.registry.get('dev-9')?.publicKeyPem;
    const forged = { ...statusBody({ synced: true, offsetMs: 3 }), publicKeyPem: pemOf(other.publicKey) };
    expect(f.pipeline.process(incoming(topics.status(d.id), d.signWith(other.privateKey, 'status', forged), d.id))).toMatchObject({ code: 'EARSHOT_E_SIGNATURE_INVALID' });
    expect(f.registry.get('dev-9')?.publicKeyPem).toBe(before);
  });

  it('forgets a pin whose message was refused after it (the transaction rolled back)', () => {
    const d = addDevice(f, 'dev-10', false);
    const bad = { ...statusBody({ synced: true, offsetMs: 3 }), publicKeyPem: d.publicKeyPem, uptimeSeconds: -1 };
    expect(f.pipeline.process(incoming(topics.status(d.id), d.sign('status', bad), d.id))).toMatchObject({ code: 'EARSHOT_E_BODY_INVALID' });
    expect(f.registry.get('dev-10')?.publicKeyPem).toBeNull();
    expect(f.registry.publicKey('dev-10')).toBeNull();
  });
});
