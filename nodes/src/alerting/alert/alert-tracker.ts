// The alert node's behaviour over time, per deduplication key: debounce before
// raising, auto-clear and re-notify timers. State itself (open or not,
// acknowledged or not) lives in the AlertService, so an acknowledge through
// the API and a restart are seen the same way: as a change of the service.
import type { AlertChange, AlertRecord, AlertService, FlowMessage } from '@loopedge/runtime';
import type { Reading } from './alert-condition.js';

export interface TrackerOptions {
  service: AlertService;
  nodeId: string;
  debounceSamples: number;
  debounceMs: number;
  autoClearMs: number;
  renotifyMs: number;
  /** Raise (or find the open alert of) a key from the message that made the condition hold. */
  raise(key: string, msg: FlowMessage, value: unknown): void;
  /** Tell notifiers and the node's output about a transition. */
  announce(change: AlertChange): void;
  /** Report a failure of a timer-driven action (no message to attach). */
  fail(error: unknown): void;
}

interface KeyState {
  /** The open alert of this key raised by this node, if any. */
  alertId?: string;
  samples: number;
  holdingSince?: number;
  lastMsg?: FlowMessage;
  lastValue?: unknown;
  debounceTimer?: NodeJS.Timeout;
  autoClearTimer?: NodeJS.Timeout;
  renotifyTimer?: NodeJS.Timeout;
}

export class AlertTracker {
  readonly #keys = new Map<string, KeyState>();
  readonly #unsubscribe: () => void;

  constructor(private readonly options: TrackerOptions) {
    this.#unsubscribe = options.service.onChange((change) => this.#onChange(change));
    // After a restart: the node's open alerts stay open; the value must cross
    // the clear level again before they clear, and re-notify resumes its rhythm.
    for (const alert of options.service.listOpen(options.nodeId)) {
      const state = this.#state(alert.key);
      state.alertId = alert.id;
      this.#armAutoClear(alert.key, state);
      if (alert.state === 'active') this.#armRenotify(state, alert);
    }
  }

  get openCount(): number {
    let count = 0;
    for (const state of this.#keys.values()) if (state.alertId) count++;
    return count;
  }

  /** One message's reading of the condition for one key. */
  observe(key: string, reading: Reading, msg: FlowMessage): void {
    const state = this.#state(key);
    if (reading.holds) {
      state.lastMsg = msg;
      state.lastValue = reading.value;
      if (state.alertId) {
        this.#armAutoClear(key, state);
        return;
      }
      state.samples++;
      state.holdingSince ??= Date.now();
      this.#raiseWhenDebounced(key, state);
      return;
    }
    this.#resetDebounce(state);
    if (reading.clears && state.alertId) this.options.service.clear(state.alertId, 'condition', reading.value);
  }

  /** An explicit clear message. */
  clearKey(key: string, value: unknown): void {
    const state = this.#keys.get(key);
    if (state) this.#resetDebounce(state);
    if (state?.alertId) this.options.service.clear(state.alertId, 'clear message', value);
    else this.options.service.clearKey(key, 'clear message', value);
  }

  close(): void {
    this.#unsubscribe();
    for (const state of this.#keys.values()) this.#stopTimers(state);
    this.#keys.clear();
  }

  #state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (!state) {
      state = { samples: 0 };
      this.#keys.set(key, state);
    }
    return state;
  }

  #raiseWhenDebounced(key: string, state: KeyState): void {
    if (state.samples < this.options.debounceSamples) return;
    const waited = Date.now() - (state.holdingSince ?? Date.now());
    if (waited >= this.options.debounceMs) {
      this.#raiseNow(key, state);
      return;
    }
    // Held for enough samples but not long enough: raise when the time is up,
    // unless a sample in between says the condition stopped holding.
    state.debounceTimer ??= setTimeout(() => {
      state.debounceTimer = undefined;
      if (state.holdingSince !== undefined && !state.alertId) this.#raiseNow(key, state);
    }, this.options.debounceMs - waited);
  }

  #raiseNow(key: string, state: KeyState): void {
    const msg = state.lastMsg;
    this.#resetDebounce(state);
    if (!msg) return;
    try {
      this.options.raise(key, msg, state.lastValue);
    } catch (error) {
      this.options.fail(error);
      return;
    }
    // Another node may already hold this key open: follow that alert too.
    const open = this.options.service.openByKey(key);
    if (open && !state.alertId) {
      state.alertId = open.id;
      this.#armAutoClear(key, state);
    }
  }

  #resetDebounce(state: KeyState): void {
    state.samples = 0;
    state.holdingSince = undefined;
    if (state.debounceTimer) clearTimeout(state.debounceTimer);
    state.debounceTimer = undefined;
  }

  #armAutoClear(key: string, state: KeyState): void {
    if (this.options.autoClearMs <= 0) return;
    if (state.autoClearTimer) clearTimeout(state.autoClearTimer);
    state.autoClearTimer = setTimeout(() => {
      state.autoClearTimer = undefined;
      if (!state.alertId) return;
      try {
        this.options.service.clear(state.alertId, 'auto-clear', state.lastValue);
      } catch (error) {
        this.options.fail(error);
      }
    }, this.options.autoClearMs);
  }

  #armRenotify(state: KeyState, alert: AlertRecord): void {
    if (this.options.renotifyMs <= 0) return;
    if (state.renotifyTimer) clearTimeout(state.renotifyTimer);
    const due = Math.max(0, Date.parse(alert.lastNotifiedAt) + this.options.renotifyMs - Date.now());
    state.renotifyTimer = setTimeout(() => {
      state.renotifyTimer = undefined;
      const current = state.alertId ? this.options.service.get(state.alertId) : undefined;
      if (current?.state !== 'active') return;
      try {
        this.options.service.recordRenotify(current.id);
      } catch (error) {
        this.options.fail(error);
      }
    }, due);
  }

  #stopTimers(state: KeyState): void {
    for (const timer of [state.debounceTimer, state.autoClearTimer, state.renotifyTimer]) if (timer) clearTimeout(timer);
    state.debounceTimer = state.autoClearTimer = state.renotifyTimer = undefined;
  }

  /** Every transition of an alert this node raised, whoever caused it (this node, the API, a restart's clear). */
  #onChange(change: AlertChange): void {
    if (change.alert.source.nodeId !== this.options.nodeId) {
      // A key this node shares with another node's open alert: follow its clear.
      const follower = this.#keys.get(change.alert.key);
      if (change.transition === 'cleared' && follower?.alertId === change.alert.id) {
        this.#stopTimers(follower);
        this.#keys.delete(change.alert.key);
      }
      return;
    }
    const state = this.#state(change.alert.key);
    switch (change.transition) {
      case 'raised':
        state.alertId = change.alert.id;
        this.#armAutoClear(change.alert.key, state);
        this.#armRenotify(state, change.alert);
        break;
      case 'renotify':
        this.#armRenotify(state, change.alert);
        break;
      case 'acknowledged':
        if (state.renotifyTimer) clearTimeout(state.renotifyTimer);
        state.renotifyTimer = undefined;
        break;
      case 'cleared':
        this.#stopTimers(state);
        this.#keys.delete(change.alert.key);
        break;
    }
    this.options.announce(change);
  }
}
