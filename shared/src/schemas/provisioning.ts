/**
 * What `earshot device add` prints once and `earshot-device provision` reads:
 * everything a monitor needs to reach and trust its ingest service (issue 3/4).
 */
import { z } from 'zod';
import { DEVICE_ID_PATTERN } from '../topics.ts';

export const ProvisioningDetails = z.strictObject({
  v: z.literal(1),
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  /** Shown once; the ingest stores only its scrypt hash. */
  secret: z.string().min(16).max(256),
  /** mqtt://host:port or mqtts://host:port as the device must dial it. */
  server: z.string().regex(/^mqtts?:\/\/[^\s/]+(:\d+)?\/?$/, 'mqtt://host:port or mqtts://host:port'),
  /** The ingest's Ed25519 public key (SPKI PEM): its signed tree heads verify with it. */
  serverPublicKeyPem: z.string().includes('BEGIN PUBLIC KEY'),
  /** CA certificate (PEM) for mqtts when the server's certificate is not from a public CA. */
  caPem: z.string().includes('BEGIN CERTIFICATE').optional(),
});
export type ProvisioningDetails = z.infer<typeof ProvisioningDetails>;
