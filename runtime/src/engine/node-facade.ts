import type { NodeApi, LinkApi, DebugEvent, RuntimeLoad } from '../node-api/node-api.js';
import type { NodeSandbox } from '../node-api/sandbox.js';
import type { NodeStatus } from '../node-api/status.js';
import type { Logger } from '../node-api/logger.js';
import type { HostServices } from '../node-api/host-services.js';
import { newMessageId } from '../node-api/message-tools.js';
import type { EnvSource } from '../env/flow-env.js';
import type { RuntimeNode } from './runtime-node.js';

/** Engine operations behind the facade that are not on RuntimeNode itself. */
export interface FacadeServices {
  setStatus(node: RuntimeNode, status: NodeStatus): void;
  publishDebug(node: RuntimeNode, event: Omit<DebugEvent, 'id' | 'z' | 'name'>): void;
  getConfigApi(node: RuntimeNode, id: string): unknown;
  links(node: RuntimeNode): LinkApi;
  /** Function nodes' user code, run in the sandbox process for this node. */
  sandbox(node: RuntimeNode, api: NodeApi): NodeSandbox;
  settings: Readonly<Record<string, unknown>>;
  host: HostServices;
  logger: Logger;
}

/** Build the narrow NodeApi a node implementation receives. */
export function createNodeFacade(node: RuntimeNode, env: EnvSource, services: FacadeServices, credentials: Readonly<Record<string, string>> = {}): NodeApi {
  const logger = services.logger.child({ node: node.id, type: node.type });
  const text = (value: unknown): string => (typeof value === 'string' ? value : value instanceof Error ? value.toString() : safeJson(value));
  const api: NodeApi = {
    id: node.id,
    type: node.type,
    name: node.name,
    z: node.z,
    send: (value) => node.send(value),
    status: (status) => services.setStatus(node, typeof status === 'string' ? { text: status } : (status ?? {})),
    log: (message) => node.services.publishLog(node, 'info', text(message)),
    warn: (message) => node.services.publishLog(node, 'warn', text(message)),
    debug: (message) => node.services.publishLog(node, 'debug', text(message)),
    trace: (message) => node.services.publishLog(node, 'trace', text(message)),
    error: (error, msg) => node.reportError(error, msg),
    context: () => node.context,
    env: {
      get: (name: string) => env.lookup(name).value,
    },
    credentials,
    getConfigNode: <T>(id: string) => services.getConfigApi(node, id) as T | undefined,
    publishDebug: (event) => services.publishDebug(node, event),
    newMessageId,
    settings: services.settings,
    host: services.host,
    logger,
    links: services.links(node),
    load: loadView(node.services.scheduler),
    get sandbox() {
      return services.sandbox(node, api);
    },
  };
  return api;
}

/** A read-only view: nodes see the numbers, never the scheduler itself. */
function loadView(scheduler: RuntimeLoad): RuntimeLoad {
  return Object.freeze({
    get queued() {
      return scheduler.queued;
    },
    get inFlight() {
      return scheduler.inFlight;
    },
    get finished() {
      return scheduler.finished;
    },
  });
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
