// The .upd container, built so a device can check it while streaming:
//
//   "LEUPD" 00 01 "\n"                    8 bytes magic
//   u32 header length, header             a JWE (ECDH-ES+A256KW, A256GCM) to the device key, holding
//                                         the content key, the package id and the signed manifest (JWS)
//   frames, until the final one:          u8 final flag, u32 length, AES-256-GCM ciphertext + 16-byte tag
//
// Each frame is authenticated with the package id, its index and its final
// flag as additional data, so frames cannot be reordered, dropped, swapped
// between packages, or cut off (a stream without a final frame is truncated).
// The plaintext of all frames is the modules' file sets, in manifest order.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { UpdateError } from './update-error.js';

export const PACKAGE_MAGIC = Buffer.from([0x4c, 0x45, 0x55, 0x50, 0x44, 0x00, 0x01, 0x0a]);
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MAX_CHUNK_SIZE = 1024 * 1024;
export const MAX_HEADER_BYTES = 1024 * 1024;
export const TAG_BYTES = 16;
export const FRAME_PREFIX_BYTES = 5;

/** The JWE plaintext: everything a device needs before the first frame. */
export interface PackageHeader {
  format: 1;
  /** base64url, 16 random bytes */
  packageId: string;
  /** base64url, 32 random bytes: the AES-256-GCM key of the frames */
  contentKey: string;
  chunkSize: number;
  /** the manifest as a compact JWS (EdDSA) */
  manifest: string;
}

function nonceOf(index: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(BigInt(index), 4);
  return iv;
}

function aadOf(packageId: Buffer, index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(packageId.length + 9);
  packageId.copy(aad);
  aad.writeBigUInt64BE(BigInt(index), packageId.length);
  aad[packageId.length + 8] = final ? 1 : 0;
  return aad;
}

/** One frame: prefix (flag, length) and sealed bytes. The key is fresh per package, so the index is a unique nonce. */
export function sealFrame(key: Buffer, packageId: Buffer, index: number, final: boolean, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonceOf(index));
  cipher.setAAD(aadOf(packageId, index, final));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const prefix = Buffer.alloc(FRAME_PREFIX_BYTES);
  prefix[0] = final ? 1 : 0;
  prefix.writeUInt32BE(body.length, 1);
  return Buffer.concat([prefix, body]);
}

export function openFrame(key: Buffer, packageId: Buffer, index: number, final: boolean, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(index));
  decipher.setAAD(aadOf(packageId, index, final));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    // GCM's final() only checks the tag and returns no bytes: skip a concat (one less chunk-sized copy per frame).
    const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    decipher.final();
    return plaintext;
  } catch (error) {
    throw new UpdateError('package-corrupt', `Chunk ${index} of the package failed its integrity check: the file is damaged or was altered. Download it again.`, { cause: error });
  }
}
