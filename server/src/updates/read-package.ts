// Reading a package on the device: the header first (decrypt, verify the
// signature against the trust store, parse the manifest), then the frames one
// at a time, so memory stays at about one chunk whatever the package size.
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { compactDecrypt, compactVerify, decodeProtectedHeader } from 'jose';
import { parseEd25519PublicKey, type TrustedKeyInfo, type TrustedKeysApi } from '@loopedge/security';
import { FRAME_PREFIX_BYTES, MAX_CHUNK_SIZE, MAX_HEADER_BYTES, PACKAGE_MAGIC, TAG_BYTES, openFrame, type PackageHeader } from './package-format.js';
import { parseManifest, type ManifestModule, type UpdateManifest } from './manifest.js';
import { UpdateError } from './update-error.js';
import type { DeviceUpdateKey } from './device-key.js';

export interface VerifiedPackage {
  manifest: UpdateManifest;
  /** the signed manifest as received, kept beside the release */
  manifestJws: string;
  signer: TrustedKeyInfo;
  /** bytes of the whole file */
  size: number;
  packageId: Buffer;
  contentKey: Buffer;
  chunkSize: number;
  payloadOffset: number;
}

/** Steps 1-3 of every apply and inspect: decrypt the header, check the signer is trusted, verify the signature. */
export async function readVerifiedHeader(path: string, deviceKey: DeviceUpdateKey, trustedKeys: TrustedKeysApi): Promise<VerifiedPackage> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const start = await readAt(file, 0, PACKAGE_MAGIC.length + 4, size);
    if (!start.subarray(0, PACKAGE_MAGIC.length).equals(PACKAGE_MAGIC)) {
      throw new UpdateError('package-malformed', `${path} is not a LoopEdge update package (it does not start with the .upd signature bytes).`);
    }
    const headerLength = start.readUInt32BE(PACKAGE_MAGIC.length);
    if (headerLength === 0 || headerLength > MAX_HEADER_BYTES) throw new UpdateError('package-malformed', `The package header length (${headerLength} bytes) is impossible; the file is damaged.`);
    const jwe = (await readAt(file, PACKAGE_MAGIC.length + 4, headerLength, size)).toString('ascii');
    const header = await decryptHeader(jwe, deviceKey);
    const { manifest, signer } = await verifyManifest(header.manifest, trustedKeys);
    const contentKey = Buffer.from(header.contentKey, 'base64url');
    const packageId = Buffer.from(header.packageId, 'base64url');
    if (contentKey.length !== 32 || packageId.length !== 16 || !Number.isInteger(header.chunkSize) || header.chunkSize < 1 || header.chunkSize > MAX_CHUNK_SIZE) {
      throw new UpdateError('package-malformed', 'The package header has a content key, id or chunk size of the wrong size.');
    }
    return { manifest, manifestJws: header.manifest, signer, size, packageId, contentKey, chunkSize: header.chunkSize, payloadOffset: PACKAGE_MAGIC.length + 4 + headerLength };
  } finally {
    await file.close();
  }
}

async function decryptHeader(jwe: string, deviceKey: DeviceUpdateKey): Promise<PackageHeader> {
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(jwe).kid;
  } catch (error) {
    throw new UpdateError('package-corrupt', 'The package header cannot be read: the file is damaged or was altered.', { cause: error });
  }
  if (kid !== deviceKey.keyId) {
    throw new UpdateError('not-for-this-device', `The package is encrypted to the key ${String(kid)}, not to this device's update key ${deviceKey.keyId}. Pack it again with --encrypt-to this device's key ("loopedge update key").`);
  }
  let plaintext: Uint8Array;
  try {
    ({ plaintext } = await compactDecrypt(jwe, deviceKey.privateKey, { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] }));
  } catch (error) {
    throw new UpdateError('package-corrupt', 'The package header failed to decrypt with this device\'s key: the file is damaged or was altered.', { cause: error });
  }
  try {
    const header = JSON.parse(Buffer.from(plaintext).toString('utf8')) as PackageHeader;
    if (header.format !== 1 || typeof header.manifest !== 'string' || typeof header.contentKey !== 'string' || typeof header.packageId !== 'string') throw new Error('fields missing');
    return header;
  } catch (error) {
    throw new UpdateError('package-malformed', `The package header is not a format 1 header (${(error as Error).message}).`, { cause: error });
  }
}

async function verifyManifest(jws: string, trustedKeys: TrustedKeysApi): Promise<{ manifest: UpdateManifest; signer: TrustedKeyInfo }> {
  let kid: unknown;
  let alg: unknown;
  try {
    ({ kid, alg } = decodeProtectedHeader(jws));
  } catch (error) {
    throw new UpdateError('signature-invalid', 'The manifest signature header cannot be read.', { cause: error });
  }
  if (alg !== 'EdDSA') throw new UpdateError('signature-invalid', `The manifest is signed with ${String(alg)}; only EdDSA (Ed25519) release keys are accepted.`);
  if (typeof kid !== 'string') throw new UpdateError('key-untrusted', 'The manifest signature names no key id (kid).');
  const lookup = trustedKeys.lookup(kid, 'release');
  if (!lookup.ok) {
    const code = lookup.reason === 'revoked' ? 'key-revoked' : lookup.reason === 'expired' ? 'key-expired' : 'key-untrusted';
    throw new UpdateError(code, `${lookup.message} Nothing was installed.`);
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, parseEd25519PublicKey(lookup.key.publicKeyPem), { algorithms: ['EdDSA'] }));
  } catch (error) {
    throw new UpdateError('signature-invalid', `The manifest signature does not verify with the trusted key "${lookup.key.name}": the manifest was altered.`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch (error) {
    throw new UpdateError('manifest-invalid', 'The signed manifest is not JSON.', { cause: error });
  }
  return { manifest: parseManifest(json), signer: lookup.key };
}

/** Reads exactly `length` bytes at `position`, into `into` when given (the frame loop reuses one buffer). */
async function readAt(file: FileHandle, position: number, length: number, size: number, into?: Buffer): Promise<Buffer> {
  if (position + length > size) {
    throw new UpdateError('package-truncated', `The package ends at byte ${size}, before the ${length} bytes expected at ${position}: the download is incomplete. Fetch it again.`);
  }
  const buffer = into ? into.subarray(0, length) : Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new UpdateError('package-truncated', `The package ended while reading byte ${position + bytesRead}.`);
  return buffer;
}

/** Called with each module's plaintext, in order; `end` once a module's declared bytes all arrived (hash checked after). */
export interface PayloadSink {
  moduleData(module: ManifestModule, index: number, bytes: Buffer): Promise<void>;
  moduleEnd(module: ManifestModule, index: number): Promise<void>;
  progress?(bytesRead: number, bytesTotal: number): void;
}

/**
 * Decrypts the frames one by one, splits the plaintext into modules, checks
 * each module's SHA-256 as soon as its last byte has arrived and refuses data
 * after the final frame or a stream that stops before it.
 */
export async function streamPayload(path: string, pkg: VerifiedPackage, sink: PayloadSink): Promise<void> {
  const file = await open(path, 'r');
  try {
    const modules = pkg.manifest.modules;
    let moduleIndex = 0;
    let moduleRemaining = modules[0]?.size ?? 0;
    let hash = createHash('sha256');
    let position = pkg.payloadOffset;
    const finishModules = async (): Promise<void> => {
      // Modules of zero bytes, and the module a frame just completed.
      while (moduleIndex < modules.length && moduleRemaining === 0) {
        const module = modules[moduleIndex] as ManifestModule;
        await sink.moduleEnd(module, moduleIndex);
        const digest = hash.digest('hex');
        if (digest !== module.sha256) {
          throw new UpdateError('module-hash-mismatch', `Module "${module.name}" ${module.version} has SHA-256 ${digest}, but the signed manifest says ${module.sha256}. Nothing was installed.`);
        }
        hash = createHash('sha256');
        moduleIndex++;
        moduleRemaining = modules[moduleIndex]?.size ?? 0;
      }
    };
    await finishModules();
    const prefixBuffer = Buffer.alloc(FRAME_PREFIX_BYTES);
    const frameBuffer = Buffer.alloc(pkg.chunkSize + TAG_BYTES);
    for (let index = 0; ; index++) {
      const prefix = await readAt(file, position, FRAME_PREFIX_BYTES, pkg.size, prefixBuffer);
      const flag = prefix[0];
      const length = prefix.readUInt32BE(1);
      if ((flag !== 0 && flag !== 1) || length < TAG_BYTES || length > pkg.chunkSize + TAG_BYTES) {
        throw new UpdateError('package-corrupt', `Chunk ${index} has an impossible frame header: the file is damaged or was altered.`);
      }
      const final = flag === 1;
      const sealed = await readAt(file, position + FRAME_PREFIX_BYTES, length, pkg.size, frameBuffer);
      position += FRAME_PREFIX_BYTES + length;
      let plain = openFrame(pkg.contentKey, pkg.packageId, index, final, sealed);
      while (plain.length > 0) {
        const module = modules[moduleIndex];
        if (!module) throw new UpdateError('module-hash-mismatch', 'The package holds more bytes than its manifest lists.');
        const take = Math.min(plain.length, moduleRemaining);
        const piece = plain.subarray(0, take);
        hash.update(piece);
        await sink.moduleData(module, moduleIndex, piece);
        moduleRemaining -= take;
        plain = plain.subarray(take);
        await finishModules();
      }
      sink.progress?.(position, pkg.size);
      if (final) break;
    }
    if (moduleIndex < modules.length) {
      throw new UpdateError('module-hash-mismatch', `The package payload ends inside module "${modules[moduleIndex]?.name}": fewer bytes than the manifest lists.`);
    }
    if (position !== pkg.size) throw new UpdateError('package-corrupt', `The package has ${pkg.size - position} bytes after its final chunk: it was altered.`);
  } finally {
    await file.close();
  }
}
