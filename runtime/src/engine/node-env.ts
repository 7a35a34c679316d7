import type { EnvSource } from '../env/flow-env.js';

/**
 * A node's environment: Node-RED's built-in NR_* names first, then the node's
 * group, flow, parent flows and finally the process environment.
 */
export class NodeEnv implements EnvSource {
  constructor(
    readonly builtins: Readonly<Record<string, string>>,
    readonly parent: EnvSource,
  ) {}

  lookup(name: string): { found: boolean; value?: unknown } {
    if (Object.prototype.hasOwnProperty.call(this.builtins, name)) return { found: true, value: this.builtins[name] };
    return this.parent.lookup(name);
  }
}
