// The device's update key: an X25519 key pair packages are encrypted to. The
// private half stays in DATA/update-key.pem (0600), made on first use; the
// public half is what a publisher passes to `loopedge update pack --encrypt-to`.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';

export const DEVICE_KEY_FILE = 'update-key.pem';

export interface DeviceUpdateKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** RFC 7638 thumbprint of the public key: the JWE `kid` of packages made for this device */
  keyId: string;
}

export async function loadOrCreateDeviceKey(dataDir: string): Promise<DeviceUpdateKey> {
  const path = join(dataDir, DEVICE_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('x25519');
    const temp = `${path}.${process.pid}.tmp`;
    // Created 0600 from the first byte; renamed so a crash never leaves half a key.
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  }
  chmodSync(path, 0o600);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`The device update key ${path} cannot be read: ${(error as Error).message}. Restore it from a backup; packages made for this device need it.`, { cause: error });
  }
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), keyId: await keyIdOf(publicKey) };
}

/** The thumbprint of an X25519 or P-256 public key. */
export async function keyIdOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey));
}
