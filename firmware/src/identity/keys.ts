/**
 * The device identity: an Ed25519 key pair made at provisioning (issue 3),
 * stored as PEM (private: PKCS#8, public: SubjectPublicKeyInfo) with mode 0600,
 * and loaded by the daemon to sign every envelope (DESIGN §4). A private key
 * that others can read is refused, as ssh refuses one.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError, createKeyFile, keyFileExposure } from '@earshot/shared';

export const PRIVATE_KEY_FILE = 'device-key.pem';
export const PUBLIC_KEY_FILE = 'device-key.pub.pem';

export interface DeviceIdentity {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM, as the ingest pins it. */
  readonly publicKeyPem: string;
}

/** Makes a new key pair in `dir`. Refuses to replace an existing one. */
export function generateIdentity(dir: string): DeviceIdentity {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  // Provisioning never overwrites an identity.
  if (!createKeyFile(join(dir, PRIVATE_KEY_FILE), privatePem) || !createKeyFile(join(dir, PUBLIC_KEY_FILE), publicKeyPem)) {
    throw new EarshotError('EARSHOT_E_IDENTITY_EXISTS', dir);
  }
  return { privateKey, publicKey, publicKeyPem };
}

/** Loads the key pair from `dir`, checking the private key's permissions and that the two keys belong together. */
export function loadIdentity(dir: string): DeviceIdentity {
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  let privatePem: string;
  let publicPem: string;
  try {
    privatePem = readFileSync(privatePath, 'utf8');
    publicPem = readFileSync(join(dir, PUBLIC_KEY_FILE), 'utf8');
  } catch (e) {
    throw new EarshotError('EARSHOT_E_IDENTITY_MISSING', `${dir}: ${(e as Error).message}`);
  }
  const exposure = keyFileExposure(privatePath);
  if (exposure !== null) throw new EarshotError('EARSHOT_E_IDENTITY_PERMISSIONS', exposure);
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  try {
    privateKey = createPrivateKey(privatePem);
    publicKey = createPublicKey(publicPem);
  } catch (e) {
    throw new EarshotError('EARSHOT_E_IDENTITY_INVALID', `${dir}: ${(e as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new EarshotError('EARSHOT_E_IDENTITY_INVALID', `${privatePath} is not an Ed25519 key`);
  const derived = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  if (!derived.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new EarshotError('EARSHOT_E_IDENTITY_INVALID', `${PUBLIC_KEY_FILE} is not the public half of ${PRIVATE_KEY_FILE}`);
  }
  return { privateKey, publicKey, publicKeyPem: publicPem };
}
