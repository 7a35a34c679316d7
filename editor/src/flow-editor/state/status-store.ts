export interface NodeStatusView {
  fill?: string;
  shape?: string;
  text?: string;
}

/**
 * Live node statuses, kept outside the editor store so a status change re-renders
 * only the one node that shows it (each node subscribes to its own id).
 */
export class StatusStore {
  private readonly statuses = new Map<string, NodeStatusView>();
  private readonly listeners = new Map<string, Set<() => void>>();

  get(id: string): NodeStatusView | undefined {
    return this.statuses.get(id);
  }

  set(id: string, status: NodeStatusView | undefined): void {
    if (!status || Object.keys(status).length === 0) this.statuses.delete(id);
    else this.statuses.set(id, status);
    for (const listener of this.listeners.get(id) ?? []) listener();
  }

  clear(): void {
    const ids = [...this.statuses.keys()];
    this.statuses.clear();
    for (const id of ids) for (const listener of this.listeners.get(id) ?? []) listener();
  }

  subscribe(id: string, listener: () => void): () => void {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(id);
    };
  }
}
