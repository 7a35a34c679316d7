import mustache from 'mustache';
import type { NodeApi } from '@loopedge/runtime';
import { evaluateEnvValue } from '../../shared/typed-value.js';

/**
 * Mustache rendering with Node-RED's lookups: names resolve against the
 * message first, then `env.NAME`, `flow.key`, `global.key` and
 * `flow[store].key`; anything else renders as "". Context and env values are
 * fetched before rendering (Node-RED does so because stores may be async).
 */

type Span = [string, string, number, number, Span[]?, number?];

/** The names a template refers to, sections included. */
export function templateNames(template: string): Set<string> {
  const names = new Set<string>();
  const walk = (spans: Span[]): void => {
    for (const span of spans) {
      if (span[0] === 'text') continue;
      names.add(span[1]);
      if (span.length > 4 && Array.isArray(span[4])) walk(span[4]);
    }
  };
  walk(mustache.parse(template) as unknown as Span[]);
  return names;
}

interface ContextName {
  type: 'flow' | 'global';
  store: string | undefined;
  field: string;
}

function parseContextName(name: string): ContextName | undefined {
  const match = /^(flow|global)(\[(\w+)\])?\.(.+)/.exec(name);
  if (!match) return undefined;
  return { type: match[1] as 'flow' | 'global', store: match[3], field: match[4]! };
}

function parseEnvName(name: string): string | undefined {
  const match = /^env\.(.+)/.exec(name);
  return match ? match[1] : undefined;
}

/** Values of the env and context names a template uses, fetched once per message. */
export function resolveExternalNames(node: NodeApi, names: Iterable<string>): Map<string, unknown> {
  const values = new Map<string, unknown>();
  const context = node.context();
  for (const name of names) {
    const envName = parseEnvName(name);
    if (envName) {
      values.set(name, evaluateEnvValue(node, envName));
      continue;
    }
    const ref = parseContextName(name);
    if (ref) values.set(name, (ref.type === 'flow' ? context.flow : context.global).get(ref.field, ref.store));
  }
  return values;
}

// For JSON output, strings are escaped so they can sit inside "..." in the template.
function escapeForJson(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/\r/g, '\\r')
    .replace(/\f/g, '\\f')
    .replace(/[\b]/g, '\\b');
}

export class TemplateContext extends mustache.Context {
  private readonly messageContext: mustache.Context;

  constructor(
    view: unknown,
    parent: mustache.Context | undefined,
    private readonly escapeStrings: boolean,
    private readonly external: Map<string, unknown>,
  ) {
    super(view, parent);
    this.messageContext = new mustache.Context(view, parent);
  }

  override lookup(name: string): unknown {
    const value: unknown = this.messageContext.lookup(name);
    if (value !== undefined) {
      return this.escapeStrings && typeof value === 'string' ? escapeForJson(value) : value;
    }
    if (this.external.has(name)) return this.external.get(name);
    return '';
  }

  // Node-RED does not carry JSON escaping into sections; kept for parity.
  override push(view: unknown): mustache.Context {
    return new TemplateContext(view, this.messageContext, false, this.external);
  }
}
