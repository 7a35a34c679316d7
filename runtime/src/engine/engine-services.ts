import type { FlowMessage } from '../node-api/message.js';
import type { Logger } from '../node-api/logger.js';
import type { DeliveryScheduler } from './scheduler.js';
import type { RuntimeNode } from './runtime-node.js';

/** Named hook points on the message path (metrics, audit, tests). */
export interface RuntimeHooks {
  /** Called as a message reaches a node's input, before the node runs. */
  onReceive?: (node: RuntimeNode, msg: FlowMessage) => void;
}

/** What a RuntimeNode needs from the engine; kept narrow so nodes can be tested alone. */
export interface EngineServices {
  readonly scheduler: DeliveryScheduler;
  readonly hooks: RuntimeHooks;
  readonly logger: Logger;
  publishError(node: RuntimeNode, error: unknown, msg: FlowMessage | undefined, handled: boolean): void;
  publishLog(node: RuntimeNode, level: 'trace' | 'debug' | 'info' | 'warn', message: string): void;
}
