/** Which diary-link addresses only this machine can open (issue 10, resident/link-address.ts). */
import { describe, expect, it } from 'vitest';
import { localOnlyReason } from '../../src/resident/link-address.ts';

describe('localOnlyReason', () => {
  it('names loopback addresses, however they are spelt', () => {
    for (const url of ['http://127.0.0.1:8080', 'http://127.1:8080/', 'http://2130706433/', 'http://127.9.9.9/x', 'http://[::1]:8080', 'http://[0:0:0:0:0:0:0:1]/', 'http://[::ffff:127.0.0.1]/']) {
      expect(localOnlyReason(url), url).toMatch(/is a loopback address$/);
    }
  });

  it('names localhost and the names under it (RFC 6761)', () => {
    for (const url of ['http://localhost:8080', 'https://LOCALHOST./', 'http://ingest.localhost/']) expect(localOnlyReason(url), url).toMatch(/names this machine$/);
  });

  it('names the unspecified address', () => {
    for (const url of ['http://0.0.0.0:8080', 'http://0/', 'http://[::]:8080', 'http://[::ffff:0.0.0.0]/']) expect(localOnlyReason(url), url).toMatch(/is the unspecified address/);
  });

  it('passes addresses a phone may reach', () => {
    for (const url of ['https://ingest.example.org', 'http://192.168.1.20:8080', 'http://10.0.0.1/', 'http://[2001:db8::1]/', 'http://128.0.0.1/', 'http://localhost.example.org/', 'http://raspberrypi:8080']) {
      expect(localOnlyReason(url), url).toBeNull();
    }
  });
});
