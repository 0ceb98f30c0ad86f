/**
 * Where `earshot serve` finds its external broker (DESIGN §8): the settings or
 * EARSHOT_BROKER_* over them, and the account from a file only; no password in
 * the URL, none in an error message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerTarget, defaultClientId } from '../../src/broker-client/target.ts';
import { loadSettings, publicMqttUrl } from '../../src/service/settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'earshot-broker-target-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'pa55-word-of-the-ingest-account';

function file(name: string, content: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

function thrown(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('did not throw');
}

describe('brokerTarget', () => {
  it('is null (the embedded broker) without a broker URL', () => {
    expect(brokerTarget(loadSettings(undefined, {}))).toBeNull();
  });

  it('reads the URL from the settings or the environment, and the account from its file', () => {
    const account = file('account.json', { url: 'mqtt://ignored:1', username: 'earshot-ingest', password: SECRET, accounts: 'mosquitto-dynamic-security' });
    const settings = file('earshot.json', { mqtt: { brokerUrl: 'mqtt://broker.example:1883', brokerAccountFile: account } });
    const fromFile = brokerTarget(loadSettings(settings, {}));
    expect(fromFile).toEqual({ url: 'mqtt://broker.example:1883', username: 'earshot-ingest', password: SECRET, clientId: defaultClientId(), accounts: 'mosquitto-dynamic-security', connections: 8 });
    // The environment wins over the file.
    const env = { EARSHOT_BROKER_URL: 'mqtts://other.example:8883', EARSHOT_BROKER_CLIENT_ID: 'ingest-b' };
    expect(brokerTarget(loadSettings(settings, env))).toMatchObject({ url: 'mqtts://other.example:8883', clientId: 'ingest-b' });
    const onlyEnv = loadSettings(undefined, { EARSHOT_BROKER_URL: 'mqtt://127.0.0.1:1883', EARSHOT_BROKER_ACCOUNT: file('a2.json', { username: 'u', password: 'p' }) });
    expect(brokerTarget(onlyEnv)).toMatchObject({ url: 'mqtt://127.0.0.1:1883', username: 'u', accounts: 'external' });
    // Devices are told the broker's address unless publicUrl says otherwise.
    expect(publicMqttUrl(onlyEnv)).toBe('mqtt://127.0.0.1:1883');
  });

  it('refuses credentials in the URL, a missing account, and a bad account file without showing the password', () => {
    expect(thrown(() => loadSettings(undefined, { EARSHOT_BROKER_URL: `mqtt://earshot-ingest:${SECRET}@broker:1883` }))).toMatchObject({ code: 'EARSHOT_E_CONFIG_INVALID' });
    expect(thrown(() => loadSettings(undefined, { EARSHOT_BROKER_URL: `mqtt://earshot-ingest:${SECRET}@broker:1883` })).message).not.toContain(SECRET);
    expect(thrown(() => loadSettings(undefined, { EARSHOT_BROKER_URL: 'http://broker:1883' }))).toMatchObject({ code: 'EARSHOT_E_CONFIG_INVALID' });
    expect(thrown(() => brokerTarget(loadSettings(undefined, { EARSHOT_BROKER_URL: 'mqtt://broker:1883' })))).toMatchObject({ code: 'EARSHOT_E_CONFIG_INVALID', message: expect.stringContaining('EARSHOT_BROKER_ACCOUNT') });
    const missing = loadSettings(undefined, { EARSHOT_BROKER_URL: 'mqtt://broker:1883', EARSHOT_BROKER_ACCOUNT: join(dir, 'nope.json') });
    expect(thrown(() => brokerTarget(missing))).toMatchObject({ code: 'EARSHOT_E_FILE_UNREADABLE' });
    const bad = loadSettings(undefined, { EARSHOT_BROKER_URL: 'mqtt://broker:1883', EARSHOT_BROKER_ACCOUNT: file('bad.json', { username: 'u', password: SECRET, accounts: SECRET }) });
    const e = thrown(() => brokerTarget(bad));
    expect(e.code).toBe('EARSHOT_E_CONFIG_INVALID');
    expect(e.message).not.toContain(SECRET);
    const notJson = loadSettings(undefined, { EARSHOT_BROKER_URL: 'mqtt://broker:1883', EARSHOT_BROKER_ACCOUNT: file('nj.json', `{"password":"${SECRET}"`) });
    expect(thrown(() => brokerTarget(notJson)).message).not.toContain(SECRET);
  });
});
