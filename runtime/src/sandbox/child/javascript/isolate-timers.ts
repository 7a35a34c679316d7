/**
 * setTimeout and friends inside an isolate, which has no event loop: the
 * isolate keeps the callbacks, the sandbox process keeps the clock. Starting a
 * timer emits ['timer', id, ms]; the engine calls back with the ids that are
 * due. Timers are counted and capped, and belong to the message whose code
 * started them.
 *
 * Self-contained: injected into each isolate as source text by the bootstrap.
 */
export interface TimerHost<A> {
  emit(entry: unknown[]): void;
  maxTimers: number;
  /** The activation (a message, or nothing) whose code is running now. */
  current(): A;
  /** Run a due callback on behalf of the activation that started it. */
  run(activation: A, callback: (...args: unknown[]) => unknown, args: unknown[]): void;
}

export interface IsolateTimers {
  setTimeout(callback: unknown, delay?: unknown, ...args: unknown[]): number;
  setInterval(callback: unknown, delay?: unknown, ...args: unknown[]): number;
  clear(id: unknown): void;
  /** The host says these are due. */
  fire(ids: unknown): void;
  /** The node stops: forget every timer (the host clears its side). */
  clearAll(): void;
  /** A new entry call: the count of timers started in one call starts again. */
  newCall(): void;
}

export function createIsolateTimers<A>(host: TimerHost<A>): IsolateTimers {
  type Callback = (...args: unknown[]) => unknown;
  const timers = new Map<number, { callback: Callback; args: unknown[]; repeat: boolean; delay: number; activation: A }>();
  const isArray = Array.isArray;
  let nextId = 1;
  let startedThisCall = 0;

  function add(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number {
    if (typeof callback !== 'function') throw new TypeError('The "callback" argument must be of type function');
    if (timers.size >= host.maxTimers) throw new Error(`Too many timers: a function node may have at most ${host.maxTimers} pending`);
    startedThisCall++;
    if (startedThisCall > host.maxTimers) throw new Error(`Too many timers started at once: at most ${host.maxTimers}`);
    const id = nextId++;
    // As Node: at least 1 ms, at most the largest 32-bit delay.
    const ms = Math.min(Math.max(Number(delay) || 0, 1), 2_147_483_647);
    timers.set(id, { callback: callback as Callback, args, repeat, delay: ms, activation: host.current() });
    host.emit(['timer', id, ms]);
    return id;
  }

  return {
    setTimeout: (callback, delay, ...args) => add(callback, delay, args, false),
    setInterval: (callback, delay, ...args) => add(callback, delay, args, true),
    clear(id) {
      const key = Number(id);
      if (timers.delete(key)) host.emit(['untimer', key]);
    },
    fire(ids) {
      if (!isArray(ids)) return;
      for (const id of ids) {
        const timer = timers.get(Number(id));
        if (!timer) continue;
        if (timer.repeat) host.emit(['timer', Number(id), timer.delay]);
        else timers.delete(Number(id));
        host.run(timer.activation, timer.callback, timer.args);
      }
    },
    clearAll() {
      for (const id of timers.keys()) host.emit(['untimer', id]);
      timers.clear();
    },
    newCall() {
      startedThisCall = 0;
    },
  };
}
