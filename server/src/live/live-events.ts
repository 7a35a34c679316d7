import type { Server as HttpsServer } from 'node:https';
import { Server as SocketServer, type Socket } from 'socket.io';
import type { Runtime } from '@loopedge/runtime';
import type { Security } from '@loopedge/security';
import type { Logger } from '@loopedge/runtime';
import { checkOrigin, credentialsOf, resolvePrincipal } from '../api/authenticate.js';
import { ApiError, toApiError } from '../api/errors.js';
import type { Principal } from '../api/route-types.js';
import { LIVE_EVENTS, roomOf, SERVER_LIVE_EVENTS } from './event-table.js';

export interface LiveEventsOptions {
  server: HttpsServer;
  runtime: Runtime;
  security: Security;
  logger: Logger;
}

export interface LiveEvents {
  readonly io: SocketServer;
  /** Sends a server event (SERVER_LIVE_EVENTS) to the sockets allowed to see it. */
  publish(event: string, payload: unknown): void;
  close(): Promise<void>;
}

/**
 * socket.io on the admin server. The handshake is authenticated like a REST
 * call (session cookie, or an API token as `auth.token`); a handshake from
 * another origin is refused (cross-site WebSocket hijacking). Runtime events
 * go to the rooms of the permissions in LIVE_EVENTS. A session's socket is
 * dropped when its access token expires: the client reconnects after a refresh.
 */
export function startLiveEvents(options: LiveEventsOptions): LiveEvents {
  const io = new SocketServer(options.server, { serveClient: false, cors: { origin: false }, maxHttpBufferSize: 64 * 1024 });
  const expiryTimers = new Set<NodeJS.Timeout>();

  io.use((socket, next) => {
    authenticateHandshake(socket, options.security).then(
      (principal) => {
        socket.data.principal = principal;
        next();
      },
      (error: unknown) => {
        const apiError = toApiError(error);
        next(Object.assign(new Error(apiError.message), { data: { code: apiError.code, status: apiError.status } }));
      },
    );
  });

  io.on('connection', (socket) => {
    const principal = socket.data.principal as Principal;
    for (const permission of new Set([...LIVE_EVENTS, ...SERVER_LIVE_EVENTS].map((e) => e.permission))) {
      if (principal.permissions.includes(permission)) void socket.join(roomOf(permission));
    }
    if (principal.kind === 'session') {
      const timer = setTimeout(() => socket.disconnect(true), Math.max(0, principal.expiresAt - Date.now()));
      timer.unref();
      expiryTimers.add(timer);
      socket.on('disconnect', () => {
        clearTimeout(timer);
        expiryTimers.delete(timer);
      });
    }
  });

  const unsubscribe = LIVE_EVENTS.map((definition) =>
    options.runtime.events.on(definition.source, (event) => {
      io.to(roomOf(definition.permission)).emit(definition.event, event);
    }),
  );

  return {
    io,
    publish(event, payload) {
      const definition = SERVER_LIVE_EVENTS.find((d) => d.event === event);
      if (!definition) throw new Error(`"${event}" is not in SERVER_LIVE_EVENTS; add it there with its permission.`);
      io.to(roomOf(definition.permission)).emit(event, payload);
    },
    close: async () => {
      for (const off of unsubscribe) off();
      for (const timer of expiryTimers) clearTimeout(timer);
      io.disconnectSockets(true);
      // Not io.close(): that would also close the https server, which the admin server owns.
      io.engine.close();
    },
  };
}

async function authenticateHandshake(socket: Socket, security: Security): Promise<Principal> {
  const { headers } = socket.handshake;
  // The same origin check as a write: a page on another site must not open a socket with our cookies.
  checkOrigin('POST', headers);
  const credentials = credentialsOf(headers);
  const token = (socket.handshake.auth as { token?: unknown }).token;
  if (typeof token === 'string' && token.length > 0) credentials.bearer = token;
  const principal = await resolvePrincipal(credentials, security);
  if (!principal) throw new ApiError('unauthenticated', 'Sign in (or pass an API token as auth.token) to receive live events.');
  return principal;
}
