/**
 * The ingest's public key as the monitor's config carries it (DeviceConfig
 * server.publicKeyPem, written by `earshot-device provision` from the details
 * `earshot device add` prints): what stored receipts are checked with (DESIGN §4).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { EarshotError } from '@earshot/shared';

/** null when the config has no key (receipts then cannot be checked); throws EARSHOT_E_CONFIG_INVALID for a key that is not Ed25519 SPKI PEM. */
export function serverReceiptKey(pem: string | undefined): KeyObject | null {
  if (pem === undefined) return null;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new EarshotError('EARSHOT_E_CONFIG_INVALID', 'server.publicKeyPem is not a PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new EarshotError('EARSHOT_E_CONFIG_INVALID', `server.publicKeyPem is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return key;
}
