// Making a package (`loopedge update pack`). Two passes over each module: the
// first measures its SHA-256 for the manifest (the manifest sits in the header,
// before the payload), the second encrypts it into frames. Neither pass holds
// a module in memory.
import { createHash, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { CompactEncrypt, CompactSign } from 'jose';
import { ed25519Thumbprint } from '@loopedge/security';
import { fileSetOfDirectory } from './file-set.js';
import { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, PACKAGE_MAGIC, sealFrame, type PackageHeader } from './package-format.js';
import { keyIdOf } from './device-key.js';
import type { ManifestModule, UpdateManifest } from './manifest.js';

export type ModuleKind = ManifestModule['kind'];

/** A module's bytes, readable more than once (measured, then encrypted). */
export type ModuleBytes = () => AsyncIterable<Buffer>;

export interface PackModule {
  name: string;
  version: string;
  kind: ModuleKind;
  /** a folder to pack; or `bytes` for a ready file set */
  dir?: string;
  bytes?: ModuleBytes;
}

export interface PackOptions {
  version: string;
  target: UpdateManifest['target'];
  minFromVersion?: string;
  rollback?: boolean;
  releaseNotes?: string;
  /** runtime entry script relative to the release folder, e.g. `modules/runtime/start.mjs` */
  entry?: string;
  modules: PackModule[];
  /** Ed25519 private key of the release key */
  signingKey: KeyObject;
  /** X25519 or P-256 public key of the device or fleet */
  encryptTo: KeyObject;
  output: string;
  chunkSize?: number;
  /** for tests of what a device refuses: change the manifest after it was measured, before it is signed */
  alterManifest?: (manifest: UpdateManifest) => UpdateManifest;
}

export async function measureModule(bytes: ModuleBytes): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of bytes()) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

function bytesOf(module: PackModule): ModuleBytes {
  if (module.bytes) return module.bytes;
  const dir = module.dir;
  if (dir === undefined) throw new Error(`Module "${module.name}" needs a folder (dir) or bytes.`);
  return () => fileSetOfDirectory(dir);
}

export async function packUpdate(options: PackOptions): Promise<{ manifest: UpdateManifest; bytes: number }> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1024 || chunkSize > MAX_CHUNK_SIZE) throw new Error(`chunkSize must be 1024 to ${MAX_CHUNK_SIZE} bytes.`);
  if (options.signingKey.asymmetricKeyType !== 'ed25519' || options.signingKey.type !== 'private') throw new Error('The signing key must be an Ed25519 private key (PKCS#8 PEM).');

  // 1. Measure every module.
  const sources = options.modules.map((module) => ({ module, bytes: bytesOf(module) }));
  const modules: ManifestModule[] = [];
  for (const { module, bytes } of sources) {
    const { sha256, size } = await measureModule(bytes);
    // The file set's size bounds what it unpacks to, which is what the device checks disk space against.
    modules.push({ name: module.name, version: module.version, kind: module.kind, sha256, size, unpackedSize: size });
  }
  let manifest: UpdateManifest = {
    format: 1,
    version: options.version,
    target: options.target,
    ...(options.minFromVersion ? { minFromVersion: options.minFromVersion } : {}),
    ...(options.rollback ? { rollback: true } : {}),
    releaseNotes: options.releaseNotes ?? '',
    createdAt: new Date().toISOString(),
    ...(options.entry ? { entry: options.entry } : {}),
    modules,
  };
  if (options.alterManifest) manifest = options.alterManifest(manifest);

  // 2. Sign the manifest, wrap the content key to the device.
  const signingPublic = createPublicKey(options.signingKey);
  const manifestJws = await new CompactSign(Buffer.from(JSON.stringify(manifest)))
    .setProtectedHeader({ alg: 'EdDSA', kid: ed25519Thumbprint(signingPublic), typ: 'loopedge-manifest+jws' })
    .sign(options.signingKey);
  const contentKey = randomBytes(32);
  const packageId = randomBytes(16);
  const header: PackageHeader = { format: 1, packageId: packageId.toString('base64url'), contentKey: contentKey.toString('base64url'), chunkSize, manifest: manifestJws };
  const jwe = await new CompactEncrypt(Buffer.from(JSON.stringify(header)))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: await keyIdOf(options.encryptTo), cty: 'loopedge-update-header+json' })
    .encrypt(options.encryptTo);

  // 3. Write magic, header and frames to a temporary file, renamed when complete.
  const temp = `${options.output}.${process.pid}.partial`;
  const out = await open(temp, 'w', 0o644);
  let written = 0;
  const put = async (bytes: Buffer): Promise<void> => {
    await out.write(bytes);
    written += bytes.length;
  };
  try {
    const headerBytes = Buffer.from(jwe, 'ascii');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(headerBytes.length);
    await put(Buffer.concat([PACKAGE_MAGIC, length, headerBytes]));
    let index = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for (const { bytes } of sources) {
      for await (const chunk of bytes()) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        // Keep at least one byte back, so the last frame written is always the final one.
        while (pendingBytes > chunkSize) {
          const all = Buffer.concat(pending);
          await put(sealFrame(contentKey, packageId, index++, false, all.subarray(0, chunkSize)));
          pending = [all.subarray(chunkSize)];
          pendingBytes = all.length - chunkSize;
        }
      }
    }
    await put(sealFrame(contentKey, packageId, index, true, Buffer.concat(pending)));
    await out.sync();
  } catch (error) {
    await out.close();
    await rm(temp, { force: true });
    throw error;
  }
  await out.close();
  await rename(temp, options.output);
  return { manifest, bytes: written };
}
