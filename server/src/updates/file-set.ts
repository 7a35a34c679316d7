// A module's files as one byte stream ("file set"): a tar-like sequence of
// entries `[u32 header length][header JSON][file bytes]`. Our own format rather
// than tar because it has only the two entry types we accept (file, dir), so
// links, devices and other tar surprises cannot even be expressed by a packer
// that follows it; the unpacker still checks every entry, because a package
// may come from anywhere.
import { lstat, mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { dirname, join, posix, resolve, sep } from 'node:path';
import { UpdateError } from './update-error.js';

export interface FileSetEntry {
  path: string;
  /** Only 'file' and 'dir' are accepted; anything else is refused as unsafe. */
  type: string;
  /** permission bits (0o644, 0o755) */
  mode: number;
  size: number;
}

const MAX_HEADER = 4096;
const MAX_PATH = 1024;

/** The bytes of one entry header; tests use it to build hostile archives. */
export function encodeEntryHeader(entry: FileSetEntry): Buffer {
  const json = Buffer.from(JSON.stringify(entry), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json]);
}

/** Streams a directory as a file set, in sorted order. Links and special files are refused (`unsafe-archive`). */
export async function* fileSetOfDirectory(root: string): AsyncGenerator<Buffer> {
  async function* walk(relative: string): AsyncGenerator<Buffer> {
    const names = (await readdir(join(root, relative))).sort();
    for (const name of names) {
      const rel = relative === '' ? name : `${relative}/${name}`;
      const stats = await lstat(join(root, rel));
      if (stats.isDirectory()) {
        yield encodeEntryHeader({ path: rel, type: 'dir', mode: stats.mode & 0o755, size: 0 });
        yield* walk(rel);
      } else if (stats.isFile()) {
        yield encodeEntryHeader({ path: rel, type: 'file', mode: stats.mode & 0o755, size: stats.size });
        let read = 0;
        for await (const chunk of createReadStream(join(root, rel), { highWaterMark: 256 * 1024 })) {
          read += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (read !== stats.size) throw new Error(`${join(root, rel)} changed size while packing; pack again`);
      } else {
        throw new UpdateError('unsafe-archive', `${join(root, rel)} is a link or special file; a module may hold only files and folders.`);
      }
    }
  }
  yield* walk('');
}

/** Why a path from a package is refused, or undefined when it is a plain relative path. */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0 || path.length > MAX_PATH) return 'an empty or overlong path';
  if (path.includes('\0')) return 'a NUL byte in the path';
  if (path.includes('\\')) return 'a backslash in the path';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'an absolute path';
  const parts = path.split('/');
  if (parts.some((part) => part === '..')) return 'a path that climbs out with ".."';
  if (parts.some((part) => part === '' || part === '.')) return 'an empty or "." path segment';
  if (posix.normalize(path) !== path) return 'a path that is not in normal form';
  return undefined;
}

interface OpenFile {
  handle: FileHandle | undefined;
  remaining: number;
  path: string;
}

/**
 * Unpacks one module's file set as its bytes arrive, into `targetDir` (or only
 * checks it when targetDir is undefined). Refuses unsafe entries and more
 * unpacked bytes than the manifest declared, so a lying manifest cannot fill the disk.
 */
export class FileSetUnpacker {
  #pending = Buffer.alloc(0);
  #file: OpenFile | undefined;
  #written = 0;
  readonly #seen = new Set<string>();
  entries = 0;

  constructor(
    private readonly moduleName: string,
    private readonly targetDir: string | undefined,
    private readonly unpackedLimit: number,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#file) {
        const take = Math.min(this.#file.remaining, chunk.length - offset);
        if (this.#file.handle) await this.#file.handle.write(chunk.subarray(offset, offset + take));
        this.#file.remaining -= take;
        offset += take;
        if (this.#file.remaining === 0) await this.#closeFile();
        continue;
      }
      // Collect a header: 4 length bytes, then the JSON.
      if (this.#pending.length < 4) {
        const take = Math.min(4 - this.#pending.length, chunk.length - offset);
        this.#pending = Buffer.concat([this.#pending, chunk.subarray(offset, offset + take)]);
        offset += take;
        continue;
      }
      const headerLength = this.#pending.readUInt32BE(0);
      if (headerLength === 0 || headerLength > MAX_HEADER) throw this.#unsafe(`an entry header of ${headerLength} bytes`);
      const take = Math.min(4 + headerLength - this.#pending.length, chunk.length - offset);
      this.#pending = Buffer.concat([this.#pending, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.#pending.length < 4 + headerLength) continue;
      const header = this.#pending.subarray(4);
      this.#pending = Buffer.alloc(0);
      await this.#startEntry(parseHeader(header, this.moduleName));
    }
  }

  /** Call when the module's declared bytes have all arrived. */
  async finish(): Promise<void> {
    if (this.#file || this.#pending.length > 0) {
      await this.#closeFile();
      throw new UpdateError('module-hash-mismatch', `Module "${this.moduleName}" ends inside an entry; its bytes do not match the manifest.`);
    }
  }

  /** Closes an open file after a failure (the staging folder is removed by the caller). */
  async abort(): Promise<void> {
    await this.#closeFile();
  }

  async #startEntry(entry: FileSetEntry): Promise<void> {
    const reason = unsafePathReason(entry.path);
    if (reason) throw this.#unsafe(`${reason} ("${entry.path}")`);
    if (entry.type !== 'file' && entry.type !== 'dir') throw this.#unsafe(`a "${entry.type}" entry ("${entry.path}"); only files and folders are allowed`);
    if (this.#seen.has(entry.path)) throw this.#unsafe(`"${entry.path}" twice`);
    this.#seen.add(entry.path);
    this.entries++;
    this.#written += entry.size;
    if (this.#written > this.unpackedLimit) {
      throw new UpdateError('module-hash-mismatch', `Module "${this.moduleName}" unpacks to more than the ${this.unpackedLimit} bytes its manifest declares.`);
    }
    const target = this.targetDir === undefined ? undefined : this.#inside(entry.path);
    if (entry.type === 'dir') {
      if (target) await mkdir(target, { recursive: true, mode: 0o755 });
      return;
    }
    // A file may come without an entry for its folder; the path was checked, so creating its parents is safe.
    if (target) await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    // 'wx': never follow or overwrite anything already there.
    const handle = target ? await open(target, 'wx', (entry.mode & 0o755) | 0o600) : undefined;
    this.#file = { handle, remaining: entry.size, path: entry.path };
    if (entry.size === 0) await this.#closeFile();
  }

  #inside(path: string): string {
    const root = resolve(this.targetDir as string);
    const target = resolve(root, path);
    // Belt and braces after unsafePathReason: the resolved path must stay inside.
    if (!target.startsWith(root + sep)) throw this.#unsafe(`a path outside the module ("${path}")`);
    return target;
  }

  async #closeFile(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    if (file?.handle) await file.handle.close();
  }

  #unsafe(what: string): UpdateError {
    return new UpdateError('unsafe-archive', `Module "${this.moduleName}" holds ${what}. Nothing was installed; ask the publisher for a clean package.`);
  }
}

function parseHeader(bytes: Buffer, moduleName: string): FileSetEntry {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UpdateError('unsafe-archive', `Module "${moduleName}" has an entry header that is not JSON.`);
  }
  const entry = value as Partial<FileSetEntry>;
  if (typeof entry.path !== 'string' || typeof entry.type !== 'string' || !Number.isInteger(entry.mode) || !Number.isSafeInteger(entry.size) || (entry.size as number) < 0) {
    throw new UpdateError('unsafe-archive', `Module "${moduleName}" has an entry header without path, type, mode and size.`);
  }
  return entry as FileSetEntry;
}
