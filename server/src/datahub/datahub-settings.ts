/** One application allowed on the DataHub: its login and the topic filters it may publish and subscribe to. */
export interface DatahubApplication {
  username: string;
  /**
   * Plain-text password as written in settings.json by a person. On start the
   * server replaces it in the file with `passwordHash`; only the hash is kept.
   */
  password?: string;
  /** bcrypt hash (`v1$...`, the security package's scheme). */
  passwordHash?: string;
  publish: string[];
  subscribe: string[];
}

export type BridgeDirection = 'out' | 'in' | 'both';

/** One row of `datahub.bridge.topics`, mosquitto's bridge `topic` line as JSON. */
export interface BridgeTopic {
  /** Topic filter, below the prefixes. */
  pattern: string;
  /** `out`: local → remote, `in`: remote → local, `both`. */
  direction: BridgeDirection;
  localPrefix: string;
  remotePrefix: string;
  qos: 0 | 1 | 2;
}

/** `datahub.bridge`: an external broker (cluster) the DataHub forwards topics to and from. */
export interface BridgeSettings {
  url: string;
  clientId: string;
  username?: string;
  /** From `password`, or from the environment variable named by `passwordEnv` (keeps it out of settings.json). */
  password?: string;
  /** PEM text of the CA that signed the remote broker's certificate (mqtts://), or a file path. */
  ca?: string;
  topics: BridgeTopic[];
  /** Longest wait between reconnect attempts, ms (back-off from 1 s). */
  reconnectMaxMs: number;
}

/** `datahub` in the settings file. The plain listener is on loopback only. */
export interface DatahubSettings {
  port: number;
  /** TLS listener with the device certificate; off when absent. */
  tlsPort?: number;
  /** Address of the TLS listener; loopback unless set (`0.0.0.0` for applications on other machines). */
  tlsHost: string;
  applications: DatahubApplication[];
  bridge?: BridgeSettings;
}

/** The runtime's own login: full access, a fresh random password per start, never written anywhere. */
export const RUNTIME_USER = 'loopedge-runtime';
const WHERE = 'settings.json "datahub"';

function portOf(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${WHERE}.${field} must be a port number (0 picks a free one), not ${JSON.stringify(value)}`);
  return value;
}

function filtersOf(a: Record<string, unknown>, key: string, where: string): string[] {
  const value = a[key] ?? [];
  if (!Array.isArray(value) || !value.every((f) => typeof f === 'string')) throw new Error(`${where}.${key} must be a list of topic filters`);
  return value as string[];
}

function parseApplication(app: unknown, i: number): DatahubApplication {
  const a = (app ?? {}) as Record<string, unknown>;
  const where = `${WHERE}.applications[${i}]`;
  if (typeof a.username !== 'string' || !a.username || a.username === RUNTIME_USER) throw new Error(`${where}.username must be a non-empty name other than "${RUNTIME_USER}"`);
  const out: DatahubApplication = { username: a.username, publish: filtersOf(a, 'publish', where), subscribe: filtersOf(a, 'subscribe', where) };
  if (a.passwordHash !== undefined) {
    if (typeof a.passwordHash !== 'string' || !a.passwordHash.startsWith('v1$')) throw new Error(`${where}.passwordHash is not a hash this server wrote; remove it and set "password" instead (it is hashed on the next start)`);
    out.passwordHash = a.passwordHash;
  }
  if (a.password !== undefined || out.passwordHash === undefined) {
    if (typeof a.password !== 'string' || a.password.length < 12) throw new Error(`${where}.password must be a string of at least 12 characters`);
    out.password = a.password;
  }
  return out;
}

function parseBridge(raw: unknown, env: Readonly<Record<string, string | undefined>>): BridgeSettings {
  const where = `${WHERE}.bridge`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where} must be an object such as { "url": "mqtts://broker:8883", "topics": [{ "pattern": "plant/#", "direction": "out" }] }`);
  const b = raw as Record<string, unknown>;
  if (typeof b.url !== 'string' || !/^(mqtt|mqtts|ws|wss):\/\/./.test(b.url)) throw new Error(`${where}.url must be an mqtt://, mqtts://, ws:// or wss:// URL, not ${JSON.stringify(b.url)}`);
  const out: BridgeSettings = { url: b.url, clientId: typeof b.clientId === 'string' && b.clientId ? b.clientId : 'loopedge-datahub-bridge', topics: [], reconnectMaxMs: 30_000 };
  if (b.username !== undefined) {
    if (typeof b.username !== 'string') throw new Error(`${where}.username must be a string`);
    out.username = b.username;
  }
  if (b.passwordEnv !== undefined) {
    if (typeof b.passwordEnv !== 'string' || env[b.passwordEnv] === undefined) throw new Error(`${where}.passwordEnv names the environment variable holding the password; ${JSON.stringify(b.passwordEnv)} is not set`);
    out.password = env[b.passwordEnv];
  } else if (b.password !== undefined) {
    if (typeof b.password !== 'string') throw new Error(`${where}.password must be a string`);
    out.password = b.password;
  }
  if (b.ca !== undefined) {
    if (typeof b.ca !== 'string' || !b.ca) throw new Error(`${where}.ca must be PEM text or the path of a PEM file`);
    out.ca = b.ca;
  }
  if (b.reconnectMaxMs !== undefined) {
    if (typeof b.reconnectMaxMs !== 'number' || !(b.reconnectMaxMs >= 100)) throw new Error(`${where}.reconnectMaxMs must be a number of milliseconds >= 100`);
    out.reconnectMaxMs = b.reconnectMaxMs;
  }
  if (!Array.isArray(b.topics) || b.topics.length === 0) throw new Error(`${where}.topics must list at least one { "pattern", "direction": "out" | "in" | "both" }`);
  out.topics = b.topics.map((t: unknown, i): BridgeTopic => {
    const row = (t ?? {}) as Record<string, unknown>;
    const at = `${where}.topics[${i}]`;
    if (typeof row.pattern !== 'string' || !row.pattern) throw new Error(`${at}.pattern must be a topic filter such as "plant/#"`);
    if (row.direction !== 'out' && row.direction !== 'in' && row.direction !== 'both') throw new Error(`${at}.direction must be "out", "in" or "both", not ${JSON.stringify(row.direction)}`);
    const prefix = (key: string): string => {
      const value = row[key] ?? '';
      if (typeof value !== 'string' || /[#+]/.test(value)) throw new Error(`${at}.${key} must be a topic prefix without wildcards`);
      return value;
    };
    const qos = row.qos ?? 0;
    if (qos !== 0 && qos !== 1 && qos !== 2) throw new Error(`${at}.qos must be 0, 1 or 2`);
    return { pattern: row.pattern, direction: row.direction, localPrefix: prefix('localPrefix'), remotePrefix: prefix('remotePrefix'), qos };
  });
  return out;
}

/** Read and check `datahub` from the settings file; undefined when absent (the DataHub is off). */
export function parseDatahubSettings(raw: unknown, env: Readonly<Record<string, string | undefined>> = process.env): DatahubSettings | undefined {
  if (raw === undefined || raw === null || raw === false) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${WHERE} must be an object such as { "port": 1883, "applications": [] }`);
  const { port, tlsPort, tlsHost, applications = [], bridge } = raw as Record<string, unknown>;
  if (!Array.isArray(applications)) throw new Error(`${WHERE}.applications must be a list of { username, password, publish, subscribe }`);
  const settings: DatahubSettings = { port: portOf(port, 'port'), tlsHost: '127.0.0.1', applications: applications.map(parseApplication) };
  if (tlsPort !== undefined) settings.tlsPort = portOf(tlsPort, 'tlsPort');
  if (tlsHost !== undefined) {
    if (typeof tlsHost !== 'string' || !tlsHost) throw new Error(`${WHERE}.tlsHost must be an address of this machine, e.g. "0.0.0.0"`);
    settings.tlsHost = tlsHost;
  }
  if (bridge !== undefined && bridge !== null) settings.bridge = parseBridge(bridge, env);
  return settings;
}
