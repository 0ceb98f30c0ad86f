/**
 * The server's Ed25519 signing key, kept in the data folder (DESIGN §7) so that
 * backing up the folder backs up the key. Created on first start, readable by the
 * owner only (0600); a key file others can read is refused, as OpenSSH refuses a
 * private key with open permissions.
 */
import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError, createKeyFile, keyFileExposure } from '@earshot/shared';
import { logIdOf } from './tree-head.ts';

export const SERVER_KEY_FILE = 'server-key.pem';

export interface ServerKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM (DESIGN §6 evidence/server-public-key.pem). */
  readonly publicKeyPem: string;
  /** Hex SHA-256 of the public key's SubjectPublicKeyInfo DER (DESIGN §5). */
  readonly logId: string;
}

export function serverKeyFromPrivate(privateKey: KeyObject): ServerKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    logId: logIdOf(publicKey),
  };
}

/** Reads the key from dataDir, creating it (and the folder) on first start. */
export function loadOrCreateServerKey(dataDir: string): ServerKey {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SERVER_KEY_FILE);
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `${file}: ${(e as Error).message}`);
    // If another process created it first, its key wins.
    createKeyFile(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    pem = readFileSync(file);
  }
  const exposure = keyFileExposure(file);
  if (exposure !== null) throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', exposure);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new EarshotError('EARSHOT_E_SERVER_KEY_INVALID', `${file} is not a PEM private key`);
  }
  return serverKeyFromPrivate(privateKey);
}
