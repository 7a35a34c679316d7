import { parseAgentDocument, type AgentDocument, type DataItemInfo, type Observation } from './mtconnect-documents.js';

/**
 * The MTConnect transport: probe → current → sample?from=nextSequence, forever.
 * Sequence numbers are tracked so every observation is delivered once; an agent
 * restart (new instanceId) or a buffer overrun (OUT_OF_RANGE) resynchronizes
 * with probe + current. A failed poll (network, broken XML) is reported and
 * retried; the sequence position is kept so nothing is missed in between.
 */

export interface PollerOptions {
  /** Agent base URL, e.g. http://agent:5000 */
  agentUrl: string;
  /** Only this device ('' = every device the agent has). */
  device: string;
  intervalMs: number;
  /** Most observations one sample request asks for. */
  count: number;
  timeoutMs: number;
}

export interface PollerEvents {
  observations(observations: Observation[]): void;
  /** Something went wrong on one poll; polling goes on. */
  failed(error: Error): void;
  /** State changes, for the node status. */
  state(state: 'synchronizing' | 'streaming', detail: string): void;
  /** Something the user should know about that is not an error (restart, lost data). */
  notice(text: string): void;
}

export class MTConnectPoller {
  #dataItems = new Map<string, DataItemInfo>();
  #instanceId: string | null = null;
  /** Where the next sample starts; null until synchronized. */
  #next: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** The last poll failed: the next good one puts the status back. */
  #failing = false;
  readonly #stop = new AbortController();
  #running: Promise<void> = Promise.resolve();

  constructor(readonly options: PollerOptions, readonly events: PollerEvents) {}

  start(): void {
    this.#schedule(0);
  }

  /** Stop polling; resolves when no request is in flight. */
  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#poll().then((again) => this.#schedule(again ? 0 : this.options.intervalMs));
    }, delayMs);
  }

  /** One step. Resolves true when the agent has more waiting (poll again at once). */
  async #poll(): Promise<boolean> {
    try {
      if (this.#next === null) {
        await this.#synchronize();
        return false;
      }
      const again = await this.#sample(this.#next);
      if (this.#failing) this.events.state('streaming', `instance ${this.#instanceId}`);
      this.#failing = false;
      return again;
    } catch (err) {
      if (this.#stop.signal.aborted) return false;
      this.#failing = true;
      this.events.failed(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
  }

  async #synchronize(): Promise<void> {
    this.events.state('synchronizing', 'probe');
    const probe = await this.#request('probe');
    if (probe.kind !== 'devices') throw this.#unexpected('probe', probe);
    this.#dataItems = probe.dataItems;
    const current = await this.#request('current');
    if (current.kind !== 'streams') throw this.#unexpected('current', current);
    this.#instanceId = current.header.instanceId;
    this.#next = current.header.nextSequence;
    this.#failing = false;
    this.events.state('streaming', `instance ${this.#instanceId}`);
    if (current.observations.length > 0) this.events.observations(current.observations);
  }

  async #sample(from: number): Promise<boolean> {
    const doc = await this.#request(`sample?from=${from}&count=${this.options.count}`);
    if (doc.header && doc.header.instanceId !== this.#instanceId) {
      // The agent restarted: its sequence numbers start over and the device
      // model may have changed, so what this document says cannot be trusted.
      this.events.notice(`agent restarted (instanceId ${this.#instanceId} → ${doc.header.instanceId}); resynchronizing`);
      this.#next = null;
      return true;
    }
    if (doc.kind === 'error') {
      if (doc.errors.some((e) => e.code === 'OUT_OF_RANGE')) {
        this.events.notice(`sequence ${from} is no longer in the agent's buffer: observations were lost; resynchronizing with current`);
        this.#next = null;
        return true;
      }
      throw this.#unexpected('sample', doc);
    }
    if (doc.kind !== 'streams') throw this.#unexpected('sample', doc);
    const fresh = doc.observations.filter((o) => o.sequence >= from);
    this.#next = Math.max(from, doc.header.nextSequence);
    if (fresh.length > 0) this.events.observations(fresh);
    // More observations are waiting than one request returned: catch up now.
    return this.#next <= doc.header.lastSequence;
  }

  async #request(path: string): Promise<AgentDocument> {
    const base = this.options.agentUrl.replace(/\/+$/, '');
    const url = this.options.device ? `${base}/${encodeURIComponent(this.options.device)}/${path}` : `${base}/${path}`;
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.options.timeoutMs)]);
    let body: string;
    try {
      const response = await fetch(url, { signal, headers: { accept: 'application/xml' } });
      body = await response.text();
      // The agent answers errors (OUT_OF_RANGE, NO_DEVICE) as MTConnectError documents with 4xx.
      if (!response.ok && !body.includes('MTConnectError')) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new Error(`GET ${url} failed: ${reason}`);
    }
    try {
      return parseAgentDocument(body, this.#dataItems);
    } catch (err) {
      throw new Error(`GET ${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  #unexpected(request: string, doc: AgentDocument): Error {
    if (doc.kind === 'error') return new Error(`the agent answered ${request} with ${doc.errors.map((e) => `${e.code}: ${e.text}`).join('; ')}`);
    return new Error(`the agent answered ${request} with an MTConnect${doc.kind === 'devices' ? 'Devices' : 'Streams'} document`);
  }
}
