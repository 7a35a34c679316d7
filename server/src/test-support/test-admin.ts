import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlowDocument } from '@loopedge/flows';
import { silentLogger, type AnyNodeTypeDefinition } from '@loopedge/runtime';
import { ROLES, type PublicUser, type Role, type Security } from '@loopedge/security';
import { startServer, type RunningServer } from '../bootstrap/start-server.js';
import { ApiClient } from './api-client.js';

export interface TestAdminOptions {
  flows?: FlowDocument;
  nodeTypes?: readonly AnyNodeTypeDefinition[];
  /** Milliseconds since the epoch; tests move it to expire tokens. */
  clock?: () => number;
  httpRedirectPort?: number;
}

export interface TestUser {
  user: PublicUser;
  username: string;
  password: string;
}

/** A password the policy accepts (long, not a dictionary word), different per user. */
export function strongPassword(username: string): string {
  // Digits only from the name: a password must not contain the username.
  const digits = BigInt(`0x${createHash('sha256').update(username).digest('hex').slice(0, 12)}`).toString();
  return `Quartz-Lantern-Fjord-Ember-${digits}!`;
}

/**
 * A real server for tests: temp data folder, HTTPS on 127.0.0.1 port 0,
 * bcrypt cost 10 (the lowest the security package allows) to keep tests fast.
 */
export class TestAdmin {
  readonly announced: string[] = [];
  #users = new Map<Role, TestUser>();
  #counter = 0;

  private constructor(
    readonly server: RunningServer,
    readonly dataDir: string,
  ) {}

  static async start(options: TestAdminOptions = {}): Promise<TestAdmin> {
    const dataDir = mkdtempSync(join(tmpdir(), 'loopedge-admin-'));
    const flowsFile = join(dataDir, 'flows.json');
    writeFileSync(flowsFile, JSON.stringify(options.flows ?? [{ id: 'tab1', type: 'tab', label: 'Flow 1' }]));
    const announced: string[] = [];
    try {
      const server = await startServer({
        flows: flowsFile,
        data: dataDir,
        port: 0,
        host: '127.0.0.1',
        env: {},
        logger: silentLogger,
        bcryptCost: 10,
        version: '0.0.0-test',
        announce: (text) => announced.push(text),
        ...(options.nodeTypes ? { nodeTypes: options.nodeTypes } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.httpRedirectPort !== undefined ? { httpRedirectPort: options.httpRedirectPort } : {}),
      });
      const admin = new TestAdmin(server, dataDir);
      admin.announced.push(...announced);
      return admin;
    } catch (error) {
      rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  get security(): Security {
    return this.server.admin!.security;
  }

  get url(): string {
    return `https://127.0.0.1:${this.server.admin!.server.port}`;
  }

  get port(): number {
    return this.server.admin!.server.port;
  }

  get ca(): string {
    return this.security.certificates.caCertificatePem();
  }

  client(localAddress?: string): ApiClient {
    return new ApiClient(this.url, this.ca, localAddress);
  }

  /** A user with this role, created once per server. */
  async user(role: Role): Promise<TestUser> {
    let existing = this.#users.get(role);
    if (!existing) {
      existing = await this.createUser(role);
      this.#users.set(role, existing);
    }
    return existing;
  }

  async createUser(role: Role, username = `${role}-${++this.#counter}`): Promise<TestUser> {
    const password = strongPassword(username);
    const user = await this.security.users.create({ username, password, role });
    return { user, username, password };
  }

  /** A client signed in with a fresh session of a user with this role. */
  async signedIn(role: Role): Promise<ApiClient> {
    const { username, password } = await this.user(role);
    const client = this.client();
    const response = await client.login(username, password);
    if (response.status !== 200) throw new Error(`Sign-in as ${role} failed: ${response.status} ${response.text}`);
    return client;
  }

  /** Like signedIn, but the session has also confirmed its password (step-up), so trust-changing routes answer. */
  async signedInFresh(role: Role): Promise<ApiClient> {
    const client = await this.signedIn(role);
    await client.reauth((await this.user(role)).password);
    return client;
  }

  async stop(): Promise<void> {
    try {
      await this.server.stop();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

export { ROLES };
