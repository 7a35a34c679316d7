/**
 * `node.sandbox` as a node sees it: units whose code runs in the supervised
 * sandbox process, wired to this node alone (its outputs, log, status, catch
 * nodes, context and environment).
 */
import type { NodeContext, ContextScope } from '../../node-api/context.js';
import type { FlowMessage, SendValue } from '../../node-api/message.js';
import type { NodeStatus } from '../../node-api/status.js';
import type { NodeSandbox, SandboxUnit, SandboxUnitSpec } from '../../node-api/sandbox.js';
import type { ContextScopeName } from '../protocol.js';
import type { SandboxSupervisor } from './sandbox-supervisor.js';
import type { UnitBridge } from './unit-bridge.js';

/** The parts of a running node a sandbox unit acts through. */
export interface SandboxedNode {
  readonly id: string;
  readonly name: string;
  send(value: SendValue): void;
  log(level: 'info' | 'warn' | 'debug' | 'trace', text: string): void;
  status(status: NodeStatus): void;
  error(error: unknown, msg?: FlowMessage): void;
  context(): NodeContext;
  env: { get(name: string): unknown };
  /** True when complete nodes listen to this node (they must see the message as the code left it). */
  completeListened(): boolean;
}

export function createNodeSandbox(supervisor: () => SandboxSupervisor, node: SandboxedNode): NodeSandbox {
  return {
    async createUnit(spec: SandboxUnitSpec): Promise<SandboxUnit> {
      let statusSet = false;
      const scope = (name: ContextScopeName): ContextScope => {
        const context = node.context();
        if (name === 'node') return context;
        if (name === 'flow') return context.flow;
        if (name === 'global') return context.global;
        throw new Error(`Unknown context scope "${String(name)}"`);
      };
      const bridge: UnitBridge = {
        send: (outputs) => node.send(outputs as SendValue),
        log: (level, text) => (level === 'error' ? node.error(text) : node.log(level, text)),
        status: (status) => {
          statusSet = true;
          // Passed on as given, as Node-RED does (an unknown fill shows as grey in the editor).
          node.status(status as NodeStatus);
        },
        error: (error, msg) => node.error(error, msg),
        contextGet: (name, keys, store) => {
          const context = scope(name);
          return keys.map((key) => (store === undefined ? context.get(key) : context.get(key, store)));
        },
        contextSet: (name, keys, values, store) => {
          const context = scope(name);
          keys.forEach((key, index) => {
            const value = index < values.length ? values[index] : null;
            if (store === undefined) context.set(key, value);
            else context.set(key, value, store);
          });
        },
        contextKeys: (name, store) => (store === undefined ? scope(name).keys() : scope(name).keys(store)),
        envGet: (name) => node.env.get(name),
      };
      const handle = await supervisor().createUnit(
        {
          language: spec.language,
          nodeId: node.id,
          name: node.name,
          func: spec.func,
          initialize: spec.initialize ?? '',
          finalize: spec.finalize ?? '',
          outputs: spec.outputs,
          timeoutMs: spec.timeoutMs ?? 0,
          memoryLimitMb: spec.memoryLimitMb ?? 0,
          env: literalEnv(node, spec),
        },
        bridge,
      );
      return {
        run: (msg) => handle.run(msg, node.completeListened()),
        runThen: (msg, callback) => handle.runThen(msg, node.completeListened(), callback),
        async close() {
          await handle.close();
          // As Node-RED's function node: a status the code set is cleared when it stops.
          if (statusSet) node.status({});
        },
      };
    },
  };
}

/**
 * Engines that cannot ask the runtime for env values on demand get the ones
 * the code names literally (`env.get("SITE")`), resolved now as strings.
 */
function literalEnv(node: SandboxedNode, spec: SandboxUnitSpec): Record<string, string> {
  const env: Record<string, string> = {};
  const pattern = /\benv\.get\(\s*(['"])([^'"\\\n]{1,256})\1\s*\)/g;
  for (const code of [spec.func, spec.initialize ?? '', spec.finalize ?? '']) {
    for (const match of code.matchAll(pattern)) {
      const name = match[2]!;
      const value = node.env.get(name);
      if (value !== undefined && value !== null) env[name] = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
    }
  }
  return env;
}
