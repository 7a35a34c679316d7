import { OPCUACertificateManager } from 'node-opcua-certificate-manager';
import {
  AttributeIds,
  BrowseDirection,
  MessageSecurityMode,
  NodeClass,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  type ClientSession,
  type UserIdentityInfo,
  type Variant,
} from 'node-opcua-client';
import { isTrustedCertificate, thumbprintsOf, UntrustedCertificateError } from './trust.js';
import { SubscriptionMonitor, type MonitorListener, type MonitorRequest } from './monitor.js';
import { sampleOf, type OpcuaSample } from './values.js';

export type SecurityModeName = 'None' | 'Sign' | 'SignAndEncrypt';
export type SecurityPolicyName = 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';

export interface ConnectionSettings {
  endpointUrl: string;
  securityMode: SecurityModeName;
  securityPolicy: SecurityPolicyName;
  /** Absent: anonymous login. */
  user?: { userName: string; password: string };
  trustedServerCertificates: readonly string[];
  /** Folder of the client's own certificate and key (created on first use). */
  pkiDir: string;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'untrusted' | 'closed';

export interface StateChange {
  state: ConnectionState;
  /** Why (the last connection error), for statuses and logs. */
  detail?: string;
}

export interface ConnectionReporter {
  error(message: string): void;
  warn(message: string): void;
  log(message: string): void;
}

export interface BrowseEntry {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
}

/** A subscription handle held by an opcua-in node. */
export interface MonitorHandle {
  close(): Promise<void>;
}

/**
 * The transport behind one opcua-endpoint: discovers the endpoint, checks the
 * server certificate against the admin's thumbprints before any session (and
 * so before any password) is sent, keeps one session, reconnects with
 * exponential back-off and restores every subscription after a reconnect.
 * We own reconnection instead of node-opcua's built-in one so that every new
 * channel passes the same trust check and subscriptions come back the same way
 * after a server restart as after a watchdog timeout.
 */
export class OpcuaConnection {
  #state: StateChange = { state: 'connecting' };
  #client: OPCUAClient | undefined;
  #session: ClientSession | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #delayMs: number;
  #lastReported = '';
  #closed = false;
  readonly #monitors = new Set<SubscriptionMonitor>();
  readonly #listeners = new Set<(change: StateChange) => void>();
  readonly #certificateManager: OPCUACertificateManager;

  constructor(
    readonly settings: ConnectionSettings,
    private readonly reporter: ConnectionReporter,
  ) {
    this.#delayMs = settings.reconnect.initialDelayMs;
    // Our own thumbprint check decides trust; the manager only holds the client's certificate.
    this.#certificateManager = new OPCUACertificateManager({ rootFolder: settings.pkiDir, automaticallyAcceptUnknownCertificate: true });
  }

  get state(): StateChange {
    return this.#state;
  }

  start(): void {
    void this.#run();
  }

  /** Calls the listener now and on every change; returns the unsubscribe function. */
  onState(listener: (change: StateChange) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  async read(nodeIds: readonly string[]): Promise<OpcuaSample[]> {
    const session = this.#requireSession('read');
    const values = await session.read(nodeIds.map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })));
    return values.map((dataValue, i) => sampleOf(nodeIds[i] ?? '', dataValue));
  }

  async write(nodeId: string, value: Variant): Promise<string> {
    const session = this.#requireSession('write');
    const status = await session.write({ nodeId, attributeId: AttributeIds.Value, value: { value } });
    return status.name;
  }

  /** The variable's built-in data type id (1 Boolean … 15 ByteString), read from the server. */
  async dataTypeOf(nodeId: string): Promise<number> {
    const session = this.#requireSession('read the data type of');
    const dataValue = await session.read({ nodeId, attributeId: AttributeIds.DataType });
    if (!dataValue.statusCode.isGood()) throw new Error(`cannot read the data type of ${nodeId}: ${dataValue.statusCode.name}`);
    const typeId = dataValue.value.value as { namespace: number; value: unknown };
    return typeId.namespace === 0 && typeof typeId.value === 'number' ? typeId.value : 0;
  }

  async browse(nodeId: string): Promise<BrowseEntry[]> {
    const session = this.#requireSession('browse');
    const result = await session.browse({
      nodeId,
      browseDirection: BrowseDirection.Forward,
      referenceTypeId: 'HierarchicalReferences',
      includeSubtypes: true,
      resultMask: 63,
    });
    if (!result.statusCode.isGood()) throw new Error(`cannot browse ${nodeId}: ${result.statusCode.name}`);
    return (result.references ?? []).map((ref) => ({
      nodeId: ref.nodeId.toString(),
      browseName: ref.browseName.toString(),
      displayName: ref.displayName.text ?? '',
      nodeClass: NodeClass[ref.nodeClass] ?? String(ref.nodeClass),
    }));
  }

  /** Subscribes now if connected, and again after every reconnect. */
  monitor(request: MonitorRequest, listener: MonitorListener): MonitorHandle {
    const monitor = new SubscriptionMonitor(request, listener);
    this.#monitors.add(monitor);
    if (this.#session) this.#startMonitor(monitor, this.#session);
    return {
      close: async () => {
        this.#monitors.delete(monitor);
        await monitor.stop();
      },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    for (const monitor of this.#monitors) monitor.detach();
    this.#monitors.clear();
    await this.#teardown();
    this.#setState({ state: 'closed' });
    this.#listeners.clear();
  }

  #requireSession(action: string): ClientSession {
    if (!this.#session) {
      const why = this.#state.detail ? ` (${this.#state.detail})` : '';
      throw new Error(`cannot ${action} ${this.settings.endpointUrl}: not connected, state ${this.#state.state}${why}`);
    }
    return this.#session;
  }

  #startMonitor(monitor: SubscriptionMonitor, session: ClientSession): void {
    monitor.start(session).catch((err: unknown) => {
      this.reporter.warn(`subscription on ${this.settings.endpointUrl} failed: ${(err as Error).message}`);
    });
  }

  /** 1. discover + trust  2. channel  3. session  4. subscriptions; on failure retry with back-off. */
  async #run(): Promise<void> {
    if (this.#closed) return;
    this.#setState({ state: 'connecting', ...(this.#state.detail ? { detail: this.#state.detail } : {}) });
    try {
      const serverCertificate = await this.#trustedServerCertificate();
      await this.#openSession(serverCertificate);
    } catch (err) {
      await this.#teardown();
      if (this.#closed) return;
      if (err instanceof UntrustedCertificateError) {
        // Retrying cannot help: an admin must add the thumbprint and redeploy.
        this.#setState({ state: 'untrusted', detail: `untrusted certificate ${err.thumbprints.sha256.slice(0, 16)}…` });
        this.reporter.error(err.message);
        return;
      }
      this.#scheduleRetry(withHint((err as Error).message));
      return;
    }
    this.#delayMs = this.settings.reconnect.initialDelayMs;
    this.#lastReported = '';
    this.reporter.log(`connected to ${this.settings.endpointUrl}`);
    this.#setState({ state: 'connected' });
    for (const monitor of this.#monitors) if (this.#session) this.#startMonitor(monitor, this.#session);
  }

  async #trustedServerCertificate(): Promise<Buffer> {
    const discovery = OPCUAClient.create({
      applicationName: 'LoopEdge',
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      clientCertificateManager: this.#certificateManager,
    });
    this.#client = discovery;
    let endpoints;
    try {
      await discovery.connect(this.settings.endpointUrl);
      endpoints = await discovery.getEndpoints();
    } finally {
      this.#client = undefined;
      await discovery.disconnect().catch(() => undefined);
    }
    const mode = MessageSecurityMode[this.settings.securityMode];
    const policy = SecurityPolicy[this.settings.securityPolicy];
    const endpoint = endpoints.find((e) => e.securityMode === mode && e.securityPolicyUri === policy);
    if (!endpoint) {
      const offered = endpoints.map((e) => `${MessageSecurityMode[e.securityMode]}/${(e.securityPolicyUri ?? '').split('#')[1] ?? ''}`);
      throw new Error(
        `server offers no endpoint with security mode ${this.settings.securityMode} and policy ${this.settings.securityPolicy}; it offers ${[...new Set(offered)].join(', ')}`,
      );
    }
    const certificate = endpoint.serverCertificate;
    if (!certificate || certificate.length === 0) {
      if (mode === MessageSecurityMode.None) return Buffer.alloc(0);
      throw new Error('the server sent no certificate for a secured endpoint');
    }
    if (!isTrustedCertificate(certificate, this.settings.trustedServerCertificates)) {
      throw new UntrustedCertificateError(this.settings.endpointUrl, thumbprintsOf(certificate));
    }
    return certificate;
  }

  async #openSession(serverCertificate: Buffer): Promise<void> {
    const client = OPCUAClient.create({
      applicationName: 'LoopEdge',
      endpointMustExist: false,
      securityMode: MessageSecurityMode[this.settings.securityMode],
      securityPolicy: SecurityPolicy[this.settings.securityPolicy],
      // The certificate we just checked: the channel is refused if the server cannot prove it owns it.
      ...(serverCertificate.length > 0 ? { serverCertificate } : {}),
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      keepSessionAlive: true,
      requestedSessionTimeout: 60_000,
      clientCertificateManager: this.#certificateManager,
    });
    this.#client = client;
    client.on('connection_lost', () => this.#lost('connection lost', client));
    await client.connect(this.settings.endpointUrl);
    const session = await client.createSession(this.#identity());
    if (this.#closed || this.#client !== client) {
      await session.close().catch(() => undefined);
      throw new Error('closed while connecting');
    }
    session.on('keepalive_failure', () => this.#lost('session keep-alive failed', client));
    session.on('session_closed', () => this.#lost('session closed by the server', client));
    this.#session = session;
  }

  #identity(): UserIdentityInfo {
    const user = this.settings.user;
    return user ? { type: UserTokenType.UserName, userName: user.userName, password: user.password } : { type: UserTokenType.Anonymous };
  }

  #lost(reason: string, client: OPCUAClient): void {
    if (this.#closed || this.#client !== client) return;
    for (const monitor of this.#monitors) monitor.detach();
    // The channel is gone: closing the session would only wait for a request timeout.
    void this.#teardown(false).then(() => this.#scheduleRetry(reason));
  }

  #scheduleRetry(reason: string): void {
    if (this.#closed) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(this.#delayMs * 2, this.settings.reconnect.maxDelayMs);
    this.#setState({ state: 'disconnected', detail: reason });
    // The same failure every few seconds would flood the log: report each distinct one once.
    if (reason !== this.#lastReported) {
      this.reporter.warn(`${this.settings.endpointUrl}: ${reason}; retrying in ${delay} ms (back-off up to ${this.settings.reconnect.maxDelayMs} ms)`);
      this.#lastReported = reason;
    }
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#run(), delay);
    this.#retryTimer.unref();
  }

  async #teardown(closeSession = true): Promise<void> {
    const client = this.#client;
    const session = this.#session;
    this.#client = undefined;
    this.#session = undefined;
    if (session && closeSession) await session.close(false).catch(() => undefined);
    if (client) await client.disconnect().catch(() => undefined);
  }

  #setState(change: StateChange): void {
    this.#state = change;
    for (const listener of this.#listeners) listener(change);
  }
}

/** What to do about the failures admins meet most. */
function withHint(reason: string): string {
  if (/BadUserAccessDenied|BadIdentityToken/.test(reason)) return `${reason}: login refused, check the user and password in the credentials`;
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|timeout/i.test(reason)) return `${reason}: check endpointUrl and that the server runs`;
  return reason;
}
