/** One debug event as the server sends it (runtime DebugEvent). */
export interface DebugMessage {
  id: string;
  z: string;
  name?: string;
  property: string;
  value: unknown;
  msgid: string;
  topic?: string;
}

export interface DebugEntry extends DebugMessage {
  /** Sequence number, the React key. */
  seq: number;
  receivedAt: number;
}

/**
 * Keeps the debug sidebar responsive under a flood. Messages are queued as they
 * arrive (cheap) and the UI takes them in one batch per animation frame; the
 * list keeps the newest `cap` entries, and whatever falls out of the queue or
 * the list before it was ever shown counts as skipped.
 */
export class DebugBuffer {
  private queue: DebugEntry[] = [];
  private list: DebugEntry[] = [];
  private seq = 0;
  private skippedCount = 0;

  constructor(readonly cap = 500) {}

  push(message: DebugMessage, now = Date.now()): void {
    this.queue.push({ ...message, seq: ++this.seq, receivedAt: now });
    // The queue never needs more than one screenful more than the list can hold.
    if (this.queue.length > this.cap) {
      const drop = this.queue.length - this.cap;
      this.queue.splice(0, drop);
      this.skippedCount += drop;
    }
  }

  /** Moves queued messages into the list; returns whether anything changed. */
  flush(): boolean {
    if (this.queue.length === 0) return false;
    const combined = this.list.concat(this.queue);
    this.queue = [];
    if (combined.length > this.cap) combined.splice(0, combined.length - this.cap);
    this.list = combined;
    return true;
  }

  get entries(): readonly DebugEntry[] {
    return this.list;
  }

  /** Messages that arrived but were never shown because newer ones pushed them out first. */
  get skipped(): number {
    return this.skippedCount;
  }

  get received(): number {
    return this.seq;
  }

  clear(): void {
    this.queue = [];
    this.list = [];
    this.skippedCount = 0;
  }
}

/** `msg.payload.a[2]`-style path of a value inside a debug message, for "copy path". */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** A short one-line preview of a value, as Node-RED's debug sidebar shows before expanding. */
export function previewOf(value: unknown, max = 80): string {
  let text: string;
  if (value === undefined) text = 'undefined';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else if (Array.isArray(value)) text = `array[${value.length}]`;
  else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    text = `{ ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''} }`;
  } else text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
