import { io, type Socket } from 'socket.io-client';
import type { ApiClient } from './api-client.js';

export type LiveConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';
type Handler = (payload: unknown) => void;

/**
 * The socket.io connection for live events (debug, node-status, deploy,
 * alerts ...). The handshake is authenticated by the session cookie; when the
 * server drops the socket because the access token expired, the session is
 * refreshed through the ApiClient (single flight) before reconnecting.
 */
export class LiveClient {
  private socket: Socket | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly stateListeners = new Set<(state: LiveConnectionState) => void>();
  private currentState: LiveConnectionState = 'offline';
  /** The API client's session generation when the socket last tried to connect (its cookies were that session's). */
  private attemptGeneration = 0;

  constructor(private readonly api: ApiClient) {}

  get state(): LiveConnectionState {
    return this.currentState;
  }

  connect(): void {
    if (this.socket) return;
    this.attemptGeneration = this.api.sessionGeneration;
    // WebSocket only: every supported browser has it, and a long-polling transport leaves the server
    // waiting up to 30 s for a poll that never comes when it shuts down.
    const socket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket'], reconnectionDelayMax: 5000 });
    this.socket = socket;
    this.setState('connecting');
    socket.on('connect', () => this.setState('connected'));
    socket.on('disconnect', (reason) => {
      // "io client disconnect" is ours (disconnect()); the server's own drop (token expiry) needs a refresh first.
      if (reason === 'io client disconnect') return this.setState('offline');
      this.setState('reconnecting');
      // The server drops a socket whose access token expired; the cookies may already carry a fresh one
      // (the API client refreshed): reconnect first, refresh only if the server still refuses.
      if (reason === 'io server disconnect') this.reconnect();
    });
    socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      this.setState('reconnecting');
      const code = error.data?.code;
      if (code === 'token-expired' || code === 'unauthenticated') void this.refreshAndReconnect();
    });
    socket.onAny((event: string, payload: unknown) => {
      for (const handler of this.handlers.get(event) ?? []) handler(payload);
    });
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = undefined;
    this.setState('offline');
  }

  /** Listen to one live event; returns the unsubscribe function. */
  on(event: string, handler: Handler): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  onState(listener: (state: LiveConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private reconnect(): void {
    this.attemptGeneration = this.api.sessionGeneration;
    if (this.socket && !this.socket.connected) this.socket.connect();
  }

  private async refreshAndReconnect(): Promise<void> {
    try {
      await this.api.refreshSince(this.attemptGeneration);
    } catch {
      // The server is away or the session ended; socket.io keeps retrying, the ApiClient reports sign-out.
    }
    this.reconnect();
  }

  private setState(state: LiveConnectionState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
