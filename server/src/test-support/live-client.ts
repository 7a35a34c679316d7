import { io, type Socket } from 'socket.io-client';
import type { ApiClient } from './api-client.js';

export interface LiveConnection {
  socket: Socket;
  /** Event names received, in order. */
  received: Array<{ event: string; payload: unknown }>;
  close(): void;
}

/**
 * Opens a socket.io connection as the given client (its session cookie or
 * API token). Resolves once connected; rejects with the server's reason.
 */
export function connectLive(client: ApiClient, options: { token?: string; origin?: string } = {}): Promise<LiveConnection> {
  const headers: Record<string, string> = {};
  if (client.cookies.size > 0) headers.Cookie = client.cookieHeader;
  if (options.origin) headers.Origin = options.origin;
  const socket = io(client.baseUrl, {
    transports: ['websocket'],
    ca: client.ca,
    extraHeaders: headers,
    ...(options.token ? { auth: { token: options.token } } : {}),
    reconnection: false,
    forceNew: true,
    timeout: 10_000,
  });
  const received: LiveConnection['received'] = [];
  socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));
  const connection: LiveConnection = { socket, received, close: () => socket.close() };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(connection));
    socket.once('connect_error', (error: Error & { data?: unknown }) => {
      socket.close();
      reject(Object.assign(new Error(error.message), { data: error.data }));
    });
  });
}

/** Waits until an event matching `wanted` arrived (bounded; a broken server fails instead of hanging). */
export async function waitForEvent(connection: LiveConnection, what: string, wanted: (event: { event: string; payload: unknown }) => boolean, limitMs = 10_000): Promise<void> {
  if (connection.received.some(wanted)) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.socket.offAny(check);
      reject(new Error(`Gave up waiting for ${what}; got ${JSON.stringify(connection.received.map((r) => r.event))}`));
    }, limitMs);
    const check = (): void => {
      if (!connection.received.some(wanted)) return;
      clearTimeout(timer);
      connection.socket.offAny(check);
      resolve();
    };
    connection.socket.onAny(check);
  });
}
