import { EventEmitter } from 'node:events';
import type { DebugEvent } from '../node-api/node-api.js';
import type { NodeStatus } from '../node-api/status.js';
import type { FlowProblem } from '@loopedge/flows';

export type DeployType = 'full' | 'flows' | 'nodes';

export interface NodeStatusEvent {
  id: string;
  z: string;
  type: string;
  status: NodeStatus;
}

export interface NodeErrorEvent {
  id: string;
  z: string;
  type: string;
  name: string;
  message: string;
  stack?: string;
  msgid?: string;
  /** True when a catch node took the error. */
  handled: boolean;
}

export interface NodeLogEvent {
  id: string;
  z: string;
  type: string;
  name: string;
  level: 'trace' | 'debug' | 'info' | 'warn';
  message: string;
}

export interface DeployEvent {
  revision: string;
  type: DeployType;
  ok: boolean;
  started: number;
  stopped: number;
  durationMs: number;
  problems?: FlowProblem[];
  error?: string;
}

/** Every event the runtime publishes; the server forwards them to editors. */
export interface RuntimeEventMap {
  'node-status': NodeStatusEvent;
  debug: DebugEvent;
  'node-error': NodeErrorEvent;
  'node-log': NodeLogEvent;
  deploy: DeployEvent;
}

/** A typed event bus. Listeners that throw are isolated from the engine. */
export class RuntimeEvents {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  on<K extends keyof RuntimeEventMap>(name: K, listener: (event: RuntimeEventMap[K]) => void): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  /** True when someone listens: lets hot paths skip building events nobody reads. */
  has(name: keyof RuntimeEventMap): boolean {
    return this.#emitter.listenerCount(name) > 0;
  }

  emit<K extends keyof RuntimeEventMap>(name: K, event: RuntimeEventMap[K]): void {
    const listeners = this.#emitter.listeners(name) as Array<(event: RuntimeEventMap[K]) => void>;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A faulty listener (e.g. a closed socket) must never break message delivery.
      }
    }
  }
}
