import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { AuthenticateError, Client } from 'aedes';
import { loadMqttPacketQuietly } from '@loopedge/nodes';
import type { Logger } from '@loopedge/runtime';
import type { PasswordHasher, Security } from '@loopedge/security';
import { RUNTIME_USER, type DatahubApplication, type DatahubSettings } from './datahub-settings.js';
import { listenTls, type TlsListener } from './datahub-tls.js';
import type { RunningBridge } from './datahub-bridge.js';
import { filterCovers } from './topic-filter.js';

export { filterCovers } from './topic-filter.js';

export { parseDatahubSettings, type DatahubApplication, type DatahubSettings } from './datahub-settings.js';

/** What nodes get in runtime settings as `datahub`: how to reach the broker as the runtime's own user. */
export interface DatahubConnection {
  url: string;
  username: string;
  password: string;
}

export interface RunningDatahub {
  readonly port: number;
  readonly connection: DatahubConnection;
  /** The TLS listener's port, once started. */
  readonly tlsPort: number | undefined;
  /** Whether settings ask for a TLS listener. */
  readonly tlsConfigured: boolean;
  readonly bridge: RunningBridge | undefined;
  /** Start the TLS listener (settings `tlsPort`) with the device certificate; needs the security package, which opens later. */
  startTls(certificates: Pick<Security['certificates'], 'active' | 'onChange'>): Promise<void>;
  stop(): Promise<void>;
}

function digest(secret: string | Buffer): Buffer {
  return createHash('sha256').update(secret).digest();
}

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  return timingSafeEqual(digest(a), digest(b));
}

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 5 as const }) as AuthenticateError;
}

/**
 * Application logins checked against bcrypt hashes. bcrypt costs ~100 ms per
 * check on purpose; a client that reconnects every few seconds must not cost
 * that each time, so the SHA-256 of the last password that passed is kept in
 * memory per user and compared first (in constant time).
 */
class ApplicationLogins {
  readonly #hashes = new Map<string, string>();
  readonly #verified = new Map<string, Buffer>();

  constructor(private readonly hasher: PasswordHasher) {}

  static async create(applications: readonly DatahubApplication[], hasher: PasswordHasher): Promise<ApplicationLogins> {
    const logins = new ApplicationLogins(hasher);
    for (const app of applications) logins.#hashes.set(app.username, app.passwordHash ?? (await hasher.hash(app.password!)));
    return logins;
  }

  async check(username: string, password: Buffer | undefined): Promise<boolean> {
    if (!password) return false;
    const known = this.#verified.get(username);
    if (known && timingSafeEqual(known, digest(password))) return true;
    const ok = await this.hasher.verify(password.toString('utf8'), this.#hashes.get(username));
    if (ok) this.#verified.set(username, digest(password));
    return ok;
  }
}

/**
 * Start the embedded DataHub broker (aedes) on 127.0.0.1. Each application
 * logs in with its user and may publish to topics matching its `publish`
 * filters and subscribe with filters inside its `subscribe` filters; the
 * runtime's own user (for datahub in/out nodes) may do everything.
 */
export async function startDatahub(settings: DatahubSettings, logger: Logger, options: { hasher: PasswordHasher }): Promise<RunningDatahub> {
  const runtimePassword = randomBytes(24).toString('base64url');
  const apps = new Map(settings.applications.map((a) => [a.username, a]));
  const logins = await ApplicationLogins.create(settings.applications, options.hasher);
  const appOf = (client: Client | null): DatahubApplication | undefined => (client ? apps.get((client as Client & { datahubUser?: string }).datahubUser ?? '') : undefined);
  const isRuntime = (client: Client | null): boolean => !client || (client as Client & { datahubUser?: string }).datahubUser === RUNTIME_USER;

  // Loaded here, not at the top: most sites run without the DataHub and aedes
  // with its persistence costs memory from the first second.
  loadMqttPacketQuietly();
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const checking = username === RUNTIME_USER ? Promise.resolve(sameSecret(runtimePassword, password)) : !!username && apps.has(username) ? logins.check(username, password) : Promise.resolve(false);
      checking.then(
        (ok) => {
          if (!ok) {
            logger.warn({ clientId: client.id, username }, 'DataHub refused a login (unknown user or wrong password)');
            done(authError('Bad user name or password'), false);
            return;
          }
          (client as Client & { datahubUser?: string }).datahubUser = username;
          done(null, true);
        },
        (error: unknown) => {
          logger.error({ err: error, username }, 'DataHub could not check a password');
          done(authError('Login check failed'), false);
        },
      );
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
  // The bridge (and mqtt.js with it) loads only when one is configured.
  const bridge = settings.bridge ? (await import('./datahub-bridge.js')).startBridge(broker, settings.bridge, logger) : undefined;
  let tls: TlsListener | undefined;

  return {
    port,
    connection: { url: `mqtt://127.0.0.1:${port}`, username: RUNTIME_USER, password: runtimePassword },
    get tlsPort() {
      return tls?.port;
    },
    tlsConfigured: settings.tlsPort !== undefined,
    bridge,
    async startTls(certificates) {
      if (settings.tlsPort === undefined || tls) return;
      tls = await listenTls(broker, settings.tlsHost, settings.tlsPort, certificates, logger);
    },
    async stop() {
      await bridge?.stop();
      await tls?.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
