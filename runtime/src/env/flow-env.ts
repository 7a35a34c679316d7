import type { EnvEntry } from '@loopedge/flows';

/**
 * Environment as Node-RED resolves it: a node's group, its flow (tab or
 * subflow instance), the parent flows, then the process environment.
 */
export interface EnvSource {
  lookup(name: string): { found: boolean; value?: unknown };
}

export class EnvLayer implements EnvSource {
  readonly #values = new Map<string, unknown>();

  constructor(
    entries: readonly EnvEntry[] | undefined,
    readonly parent: EnvSource,
  ) {
    for (const entry of entries ?? []) {
      if (!entry || typeof entry.name !== 'string') continue;
      this.#values.set(entry.name, evaluateEnvEntry(entry, parent));
    }
  }

  lookup(name: string): { found: boolean; value?: unknown } {
    if (this.#values.has(name)) return { found: true, value: this.#values.get(name) };
    return this.parent.lookup(name);
  }
}

export class ProcessEnv implements EnvSource {
  constructor(readonly env: Readonly<Record<string, string | undefined>>) {}

  lookup(name: string): { found: boolean; value?: unknown } {
    const value = this.env[name];
    return value === undefined ? { found: false } : { found: true, value };
  }
}

/** Evaluate one env entry of a tab or subflow (Node-RED typed-input types). */
function evaluateEnvEntry(entry: EnvEntry, parent: EnvSource): unknown {
  const raw = entry.value;
  switch (entry.type) {
    case 'num':
      return Number(raw);
    case 'bool':
      return raw === true || raw === 'true';
    case 'json':
      try {
        return typeof raw === 'string' ? JSON.parse(raw) : raw;
      } catch {
        return raw;
      }
    case 'env':
      return parent.lookup(String(raw)).value;
    case 'bin':
      try {
        return Buffer.from(JSON.parse(String(raw)) as number[]);
      } catch {
        return Buffer.alloc(0);
      }
    default:
      // A `str` entry is taken literally, as Node-RED does: "${X}" stays as written.
      return raw;
  }
}

const WHOLE_ENV_REF = /^\$\{(\S+)\}$/;
const OLD_WHOLE_ENV_REF = /^\$\((\S+)\)$/;

/**
 * Node-RED replaces any node property whose whole value is `${NAME}` (or the
 * old `$(NAME)`) with that variable's value, keeping its type; other strings
 * are left alone. Applied to a copy of the node's config before create().
 */
export function mapEnvProperties(config: Record<string, unknown>, env: EnvSource): void {
  for (const key of Object.keys(config)) {
    if (key === 'id' || key === 'type' || key === 'z' || key === 'wires') continue;
    config[key] = mapEnvValue(config[key], env, 0);
  }
}

function mapEnvValue(value: unknown, env: EnvSource, depth: number): unknown {
  if (depth > 32) return value;
  if (typeof value === 'string') {
    if (value[0] !== '$') return value;
    const match = WHOLE_ENV_REF.exec(value) ?? OLD_WHOLE_ENV_REF.exec(value);
    if (!match) return value;
    const found = env.lookup(match[1]!);
    return found.found ? found.value : value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = mapEnvValue(value[i], env, depth + 1);
    return value;
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = mapEnvValue(record[key], env, depth + 1);
  }
  return value;
}
