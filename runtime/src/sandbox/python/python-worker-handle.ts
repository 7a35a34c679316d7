/**
 * One worker thread running one interpreter, seen from the sandbox process's
 * main thread: spawn, the shared control words, answering context calls
 * (the worker is blocked in Atomics.wait meanwhile), interrupt and terminate.
 */
import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { CONTROL, type HostCall, type HostReply, type MainToWorker, type PythonWorkerData, type WorkerToMain } from './protocol.js';

const WORKER_URL = new URL('./worker/python-worker.js', import.meta.url);

export interface WorkerHandleEvents {
  message(message: WorkerToMain): void;
  hostCall(call: HostCall): Promise<HostReply>;
  /** The thread ended without being asked to (crash, out of memory, exit). */
  exit(reason: string): void;
}

export type WorkerStartData = Omit<PythonWorkerData, 'control' | 'replyPort'>;

export class PythonWorkerHandle {
  readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.length * 4));
  readonly #worker: Worker;
  readonly #replyPort: MessagePort;
  #ended = false;

  constructor(start: WorkerStartData, readonly events: WorkerHandleEvents) {
    const channel = new MessageChannel();
    this.#replyPort = channel.port1;
    const data: PythonWorkerData = { ...start, control: this.control.buffer as SharedArrayBuffer, replyPort: channel.port2 };
    this.#worker = new Worker(WORKER_URL, {
      workerData: data,
      transferList: [channel.port2],
      env: {},
      // The interpreter's own memory is WebAssembly memory, capped inside the worker; this caps its JS heap.
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
      stdout: true,
      stderr: true,
    });
    // Pyodide prints its own diagnostics on fatal errors; the unit reports those itself.
    this.#worker.stdout.resume();
    this.#worker.stderr.resume();
    this.#worker.on('message', (message: WorkerToMain) => {
      if (message.type === 'host-call') void this.#answer(message.call);
      else events.message(message);
    });
    this.#worker.on('error', (error) => this.#end(`the Python worker failed: ${error.message}`));
    this.#worker.on('exit', (code) => this.#end(`the Python worker exited (code ${code})`));
  }

  get ended(): boolean {
    return this.#ended;
  }

  get runningSeq(): number {
    return Atomics.load(this.control, CONTROL.runningSeq);
  }

  post(message: MainToWorker): void {
    if (this.#ended) return;
    this.#worker.postMessage(message);
  }

  /** Raise KeyboardInterrupt in the running Python code. */
  interrupt(): void {
    Atomics.store(this.control, CONTROL.interrupt, 2);
  }

  /** Stop the thread now, whatever it is doing. Not reported through events.exit. */
  async terminate(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#replyPort.close();
    await this.#worker.terminate();
  }

  async #answer(call: HostCall): Promise<void> {
    let reply: HostReply;
    try {
      reply = await this.events.hostCall(call);
    } catch (error) {
      reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (this.#ended) return;
    // The reply must be on the port before the worker wakes and reads it.
    this.#replyPort.postMessage(reply);
    Atomics.store(this.control, CONTROL.hostReply, 1);
    Atomics.notify(this.control, CONTROL.hostReply);
  }

  #end(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#replyPort.close();
    this.events.exit(reason);
  }
}
