/**
 * `/dev/loopedge`: the only channel between Python and the worker. A
 * character device in Emscripten's file system whose read and write are
 * JavaScript functions here, so Python moves bytes, never JS objects, and no
 * JsProxy has to exist on the Python side.
 *
 * Python reads queued messages (and replies to its context calls) and writes
 * events (send, log, status, results, context calls) as frames.
 */
import { parseFrameBody, type PyValue } from './frames.js';

/** The part of Emscripten's FS this device needs. */
export interface EmscriptenFs {
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: DeviceOps): void;
  mkdev(path: string, mode: number, dev: number): unknown;
  unlink(path: string): void;
  /** Thrown from a device operation, it becomes an OSError in Python (anything else is fatal to Pyodide). */
  ErrnoError: new (errno: number) => Error;
}

interface DeviceOps {
  open(stream: unknown): void;
  close(stream: unknown): void;
  read(stream: unknown, buffer: Int8Array, offset: number, length: number, position: number): number;
  write(stream: unknown, buffer: Int8Array, offset: number, length: number, position: number): number;
}

export interface BridgeHandlers {
  /** Python starts reading a queued message. */
  onMessageStart(seq: number): void;
  /** Python wrote a complete frame. Must not throw: report problems as events. */
  onFrame(control: Record<string, unknown>, value: PyValue | undefined): void;
}

export const DEVICE_PATH = '/dev/loopedge';
const MAX_FRAME_BYTES = 512 * 1024 * 1024;
/** Emscripten's errno numbers. */
const EIO = 29;
const EFBIG = 22;

export class BridgeDevice {
  readonly #inbox: Array<{ seq: number; frame: Uint8Array }> = [];
  #reply: Uint8Array | undefined;
  #reading: Uint8Array | undefined;
  #readOffset = 0;
  #written: Uint8Array[] = [];
  #writtenBytes = 0;

  #fs: EmscriptenFs | undefined;

  constructor(readonly handlers: BridgeHandlers) {}

  /** Create the device node; Python opens it once, then the path is removed. */
  install(fs: EmscriptenFs): void {
    this.#fs = fs;
    const dev = fs.makedev(64, 7);
    fs.registerDevice(dev, {
      open: () => {},
      close: () => {},
      read: (_s, buffer, offset, length) => this.#read(buffer, offset, length),
      write: (_s, buffer, offset, length) => this.#write(buffer, offset, length),
    });
    fs.mkdev(DEVICE_PATH, 0o600, dev);
  }

  enqueue(seq: number, frame: Uint8Array): void {
    this.#inbox.push({ seq, frame });
  }

  get queued(): number {
    return this.#inbox.length;
  }

  /** Drop queued messages (the worker is closing); returns their sequence numbers. */
  drain(): number[] {
    return this.#inbox.splice(0).map((item) => item.seq);
  }

  /** The answer to the context call Python is waiting on; it is read before any queued message. */
  setReply(frame: Uint8Array): void {
    this.#reply = frame;
  }

  #read(buffer: Int8Array, offset: number, length: number): number {
    if (!this.#reading) {
      if (this.#reply) {
        this.#reading = this.#reply;
        this.#reply = undefined;
      } else {
        const next = this.#inbox.shift();
        if (!next) return 0;
        this.handlers.onMessageStart(next.seq);
        this.#reading = next.frame;
      }
      this.#readOffset = 0;
    }
    const frame = this.#reading;
    const count = Math.min(length, frame.length - this.#readOffset);
    new Uint8Array(buffer.buffer, buffer.byteOffset + offset, count).set(frame.subarray(this.#readOffset, this.#readOffset + count));
    this.#readOffset += count;
    if (this.#readOffset >= frame.length) this.#reading = undefined;
    return count;
  }

  #write(buffer: Int8Array, offset: number, length: number): number {
    this.#written.push(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length).slice());
    this.#writtenBytes += length;
    if (this.#writtenBytes > MAX_FRAME_BYTES) {
      this.#written = [];
      this.#writtenBytes = 0;
      throw this.#errno(EFBIG);
    }
    try {
      this.#dispatchFrames();
    } catch {
      // Only a malformed frame gets here: the user wrote to the device by hand.
      this.#written = [];
      this.#writtenBytes = 0;
      throw this.#errno(EIO);
    }
    return length;
  }

  #errno(code: number): Error {
    return this.#fs ? new this.#fs.ErrnoError(code) : new Error(`errno ${code}`);
  }

  #dispatchFrames(): void {
    while (this.#writtenBytes >= 4) {
      const data = this.#written.length === 1 ? this.#written[0] : concat(this.#written, this.#writtenBytes);
      const total = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
      if (data.length < 4 + total) {
        this.#written = [data];
        return;
      }
      const rest = data.subarray(4 + total);
      this.#written = rest.length > 0 ? [rest] : [];
      this.#writtenBytes = rest.length;
      const { control, value } = parseFrameBody(data.subarray(4, 4 + total));
      this.handlers.onFrame(control, value);
    }
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
