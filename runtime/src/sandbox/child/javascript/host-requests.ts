/**
 * The one host function an isolate can call: synchronous (for the user's
 * code) requests for context and environment, answered by the runtime. The
 * isolate blocks in `applySyncPromise` while this sandbox process asks the
 * runtime over the channel; its event loop stays free.
 *
 * Arguments come from hostile code: each is checked before use, and the
 * answer goes back as a copy of plain data, never a reference.
 */
import type IsolatedVM from 'isolated-vm';
import type { UserCodeHost, UserCodeSpec } from '../language-engine.js';
import { encodeValue, unframe, frameEncoded, type ValueCodecLimits } from '../../wire-format.js';

type Scope = 'node' | 'flow' | 'global';
const SCOPES = new Set<string>(['node', 'flow', 'global']);
const MAX_KEYS = 1000;
const MAX_KEY_CHARS = 1024;

export type HostRequestHandler = (kind: unknown, pending: unknown, ...args: unknown[]) => Promise<unknown>;

export class HostRequests {
  constructor(
    readonly ivm: typeof IsolatedVM,
    readonly host: UserCodeHost,
    readonly spec: UserCodeSpec,
    readonly limits: ValueCodecLimits,
    /** Handles outbox entries the isolate flushed before asking (kept in order). */
    readonly applyPending: (entries: unknown) => void,
  ) {}

  /** The function behind the isolate's host reference; `isLive` is false once that isolate was replaced. */
  handler(isLive: () => boolean): HostRequestHandler {
    return async (kind, pending, ...args) => {
      let reply: unknown[];
      if (!isLive()) reply = [false, 'This function instance was stopped'];
      else {
        this.applyPending(pending);
        try {
          reply = await this.#answer(kind, args);
        } catch (error) {
          reply = [false, error instanceof Error ? error.message : String(error)];
        }
      }
      return new this.ivm.ExternalCopy(reply).copyInto({ release: true });
    };
  }

  async #answer(kind: unknown, args: unknown[]): Promise<unknown[]> {
    switch (kind) {
      case 'get': {
        const [scope, keys, store] = args;
        const frame = await this.host.contextGet(checkScope(scope), checkKeys(keys), checkStore(store));
        return this.#encoded(frame);
      }
      case 'set': {
        const [scope, keys, json, binaries, store] = args;
        if (typeof json !== 'string' || !Array.isArray(binaries) || !binaries.every((b) => b instanceof Uint8Array)) throw new Error('context.set: malformed value');
        const values = frameEncoded({ json, binaries: binaries as Uint8Array[] }, this.limits);
        await this.host.contextSet(checkScope(scope), checkKeys(keys), values, checkStore(store));
        return [true];
      }
      case 'keys': {
        const [scope, store] = args;
        const keys = await this.host.contextKeys(checkScope(scope), checkStore(store));
        return [true, keys.filter((key) => typeof key === 'string')];
      }
      case 'env': {
        const [name] = args;
        if (typeof name !== 'string' || name.length > MAX_KEY_CHARS) throw new Error('env.get: the name must be a string');
        if (this.host.envGet) return this.#encoded(await this.host.envGet(name));
        return this.#encoded(encodeValue(Object.prototype.hasOwnProperty.call(this.spec.env, name) ? this.spec.env[name] : undefined, this.limits));
      }
      default:
        throw new Error(`Unknown request ${String(kind)}`);
    }
  }

  /** A frame from the runtime, split for the isolate (attachments as exact copies). */
  #encoded(frame: Uint8Array): unknown[] {
    const { json, binaries } = unframe(frame, this.limits);
    return [true, json, binaries];
  }
}

function checkScope(scope: unknown): Scope {
  if (typeof scope !== 'string' || !SCOPES.has(scope)) throw new Error('Unknown context scope');
  return scope as Scope;
}

function checkKeys(keys: unknown): string[] {
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) throw new Error(`Context keys must be 1 to ${MAX_KEYS} strings`);
  for (const key of keys) {
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) throw new Error(`Invalid context key: keys are non-empty strings of at most ${MAX_KEY_CHARS} characters`);
  }
  return keys as string[];
}

function checkStore(store: unknown): string | undefined {
  if (store === null || store === undefined) return undefined;
  if (typeof store !== 'string' || store.length > 128) throw new Error('Invalid context store name');
  return store;
}
