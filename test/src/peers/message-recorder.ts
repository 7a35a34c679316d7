import type { PeerMessage } from './flow-peer.js';

type Listener = (msg: PeerMessage) => void;

interface Waiter {
  count: number;
  resolve: (msgs: PeerMessage[]) => void;
}

/**
 * The bookkeeping both peers share: per node, the copies kept for
 * `messagesAt`, the `onInput` listeners and the pending `waitForMessages`.
 * The engine-specific part only calls `deliver(nodeId, msg)` for every input.
 */
export class MessageRecorder {
  private readonly recorded = new Map<string, PeerMessage[]>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(
    private readonly copy: (msg: PeerMessage) => PeerMessage,
    private readonly recordOnly: 'all' | ReadonlySet<string>,
  ) {}

  /** True when nothing at this node is recorded or listened to, so the engine may skip the copy. */
  isIgnored(nodeId: string): boolean {
    return !this.records(nodeId) && !this.listeners.has(nodeId);
  }

  deliver(nodeId: string, msg: PeerMessage): void {
    if (this.records(nodeId)) {
      let list = this.recorded.get(nodeId);
      if (!list) this.recorded.set(nodeId, (list = []));
      list.push(this.copy(msg));
      this.settleWaiters(nodeId, list);
    }
    const listeners = this.listeners.get(nodeId);
    if (listeners) for (const listener of listeners) listener(msg);
  }

  onInput(nodeId: string, listener: Listener): () => void {
    let set = this.listeners.get(nodeId);
    if (!set) this.listeners.set(nodeId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(nodeId);
    };
  }

  messagesAt(nodeId: string): PeerMessage[] {
    this.assertRecorded(nodeId);
    return [...(this.recorded.get(nodeId) ?? [])];
  }

  waitForMessages(nodeId: string, count: number, timeoutMs: number, engine: string): Promise<PeerMessage[]> {
    this.assertRecorded(nodeId);
    const current = this.recorded.get(nodeId) ?? [];
    if (current.length >= count) return Promise.resolve([...current]);
    return new Promise((resolve, reject) => {
      let set = this.waiters.get(nodeId);
      if (!set) this.waiters.set(nodeId, (set = new Set()));
      const waiter: Waiter = {
        count,
        resolve: (msgs) => {
          clearTimeout(timer);
          resolve(msgs);
        },
      };
      const timer = setTimeout(() => {
        set.delete(waiter);
        const got = this.recorded.get(nodeId)?.length ?? 0;
        reject(new Error(`${engine}: node ${nodeId} received ${got} of ${count} expected messages within ${timeoutMs} ms`));
      }, timeoutMs);
      set.add(waiter);
    });
  }

  private records(nodeId: string): boolean {
    return this.recordOnly === 'all' || this.recordOnly.has(nodeId);
  }

  private assertRecorded(nodeId: string): void {
    if (!this.records(nodeId)) {
      throw new Error(`Messages at node ${nodeId} are not recorded: add it to the peer's "record" option or use onInput`);
    }
  }

  private settleWaiters(nodeId: string, list: PeerMessage[]): void {
    const set = this.waiters.get(nodeId);
    if (!set) return;
    for (const waiter of set) {
      if (list.length >= waiter.count) {
        set.delete(waiter);
        waiter.resolve([...list]);
      }
    }
  }
}
