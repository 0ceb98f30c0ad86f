import { describe, expect, it } from 'vitest';
import { clientOptions } from '../../src/uplink/index.ts';

describe('connection options (DESIGN §4)', () => {
  it('uses MQTT 3.1.1, the device id as client id and username, its secret, and a persistent session', () => {
    const o = clientOptions({ url: 'mqtt://ingest.example:1883', deviceId: 'dev-abc', secret: 's3cret' }, 1000);
    expect(o).toMatchObject({ protocolVersion: 4, clientId: 'dev-abc', username: 'dev-abc', password: 's3cret', clean: false });
    expect(o.ca).toBeUndefined();
  });

  it('turns on TLS with the given CA for mqtts, and refuses other schemes and bad ids', () => {
    const o = clientOptions({ url: 'mqtts://ingest.example:8883', deviceId: 'dev-abc', secret: 's', caPem: 'PEM' }, 1000);
    expect(o).toMatchObject({ rejectUnauthorized: true, ca: 'PEM' });
    expect(() => clientOptions({ url: 'http://x', deviceId: 'dev-abc', secret: 's' }, 1000)).toThrow(/mqtt/);
    expect(() => clientOptions({ url: 'mqtt://x', deviceId: 'Dev_1', secret: 's' }, 1000)).toThrow(/device id/);
  });
});
