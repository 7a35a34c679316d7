import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from '@loopedge/runtime';

/** One application allowed on the DataHub: its login and the topic filters it may publish and subscribe to. */
export interface DatahubApplication {
  username: string;
  password: string;
  publish: string[];
  subscribe: string[];
}

/** `datahub` in the settings file. The broker listens on loopback only. */
export interface DatahubSettings {
  port: number;
  applications: DatahubApplication[];
}

/** What nodes get in runtime settings as `datahub`: how to reach the broker as the runtime's own user. */
export interface DatahubConnection {
  url: string;
  username: string;
  password: string;
}

export interface RunningDatahub {
  readonly port: number;
  readonly connection: DatahubConnection;
  stop(): Promise<void>;
}

/** The runtime's own login: full access, a fresh random password per start, never written anywhere. */
const RUNTIME_USER = 'loopedge-runtime';

/** Read and check `datahub` from the settings file; undefined when absent (the DataHub is off). */
export function parseDatahubSettings(raw: unknown): DatahubSettings | undefined {
  if (raw === undefined || raw === null || raw === false) return undefined;
  const where = 'settings.json "datahub"';
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${where} must be an object such as { "port": 1883, "applications": [] }`);
  const { port, applications = [] } = raw as { port?: unknown; applications?: unknown };
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${where}.port must be a port number (0 picks a free one), not ${JSON.stringify(port)}`);
  if (!Array.isArray(applications)) throw new Error(`${where}.applications must be a list of { username, password, publish, subscribe }`);
  const apps = applications.map((app: unknown, i): DatahubApplication => {
    const a = (app ?? {}) as Record<string, unknown>;
    const filters = (key: string): string[] => {
      const value = a[key] ?? [];
      if (!Array.isArray(value) || !value.every((f) => typeof f === 'string')) throw new Error(`${where}.applications[${i}].${key} must be a list of topic filters`);
      return value as string[];
    };
    if (typeof a.username !== 'string' || !a.username || a.username === RUNTIME_USER) throw new Error(`${where}.applications[${i}].username must be a non-empty name other than "${RUNTIME_USER}"`);
    if (typeof a.password !== 'string' || a.password.length < 12) throw new Error(`${where}.applications[${i}].password must be a string of at least 12 characters`);
    return { username: a.username, password: a.password, publish: filters('publish'), subscribe: filters('subscribe') };
  });
  return { port, applications: apps };
}

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Whether an application's filter covers a topic or a whole subscription filter:
 * every topic the second matches must match the first (so `a/+` covers `a/b`
 * and `a/+`, `a/#` covers `a/b/#`, but `a/b` does not cover `a/+`).
 */
export function filterCovers(allowed: string, requested: string): boolean {
  const f = allowed.split('/');
  const t = requested.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || t[i] === '#') return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 5 as const }) as AuthenticateError;
}

/**
 * Start the embedded DataHub broker (aedes) on 127.0.0.1. Each application
 * logs in with its user and may publish to topics matching its `publish`
 * filters and subscribe with filters inside its `subscribe` filters; the
 * runtime's own user (for datahub in/out nodes) may do everything.
 */
export async function startDatahub(settings: DatahubSettings, logger: Logger): Promise<RunningDatahub> {
  const runtimePassword = randomBytes(24).toString('base64url');
  const apps = new Map(settings.applications.map((a) => [a.username, a]));
  const appOf = (client: Client | null): DatahubApplication | undefined => (client ? apps.get((client as Client & { datahubUser?: string }).datahubUser ?? '') : undefined);
  const isRuntime = (client: Client | null): boolean => !client || (client as Client & { datahubUser?: string }).datahubUser === RUNTIME_USER;

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const ok = username === RUNTIME_USER ? sameSecret(runtimePassword, password) : !!username && apps.has(username) && sameSecret(apps.get(username)!.password, password);
      if (!ok) {
        logger.warn({ clientId: client.id, username }, 'DataHub refused a login (unknown user or wrong password)');
        done(authError('Bad user name or password'), false);
        return;
      }
      (client as Client & { datahubUser?: string }).datahubUser = username;
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      if (isRuntime(client) || appOf(client)?.publish.some((f) => filterCovers(f, packet.topic))) return callback(null);
      logger.warn({ clientId: client?.id, topic: packet.topic }, 'DataHub refused a publish outside the application\'s "publish" topics');
      callback(new Error(`publish to ${packet.topic} not allowed`));
    },
    authorizeSubscribe(client, subscription, callback) {
      if (isRuntime(client) || appOf(client)?.subscribe.some((f) => filterCovers(f, subscription.topic))) return callback(null, subscription);
      logger.warn({ clientId: client.id, topic: subscription.topic }, 'DataHub refused a subscription outside the application\'s "subscribe" topics');
      callback(null, null); // refused: the client gets a failure code for this filter
    },
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw new Error(`DataHub broker could not listen on 127.0.0.1:${settings.port}: ${(error as Error).message}. Pick another "datahub.port" in settings.json (0 = any free port)`);
  }
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, applications: settings.applications.map((a) => a.username) }, 'DataHub broker listening on 127.0.0.1');
  return {
    port,
    connection: { url: `mqtt://127.0.0.1:${port}`, username: RUNTIME_USER, password: runtimePassword },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
