import { Type, type Static } from '@sinclair/typebox';
import { cloneMessage, defineNode, NodeName, NumberLike, readmeBeside, TypedInputType, type FlowMessage, type NodeApi, type PortValue } from '@loopedge/runtime';
import { prepareTypedValue } from '../../shared/typed-value.js';
import { compileRules, RuleConfigError, type CompiledRule, type FactReader, type FactScope } from './rule-compiler.js';

const RuleSchema = Type.Object({
  name: Type.Optional(Type.String({ description: 'Shown on the output port and as msg.rule' })),
  priority: Type.Optional(Type.Union([Type.Number(), Type.String()], { description: 'Higher fires first (default 1, must be > 0)' })),
  conditions: Type.Unknown({ description: 'json-rules-engine conditions: { all | any: [...] } or { not: {...} }, nested; leaves { fact, operator, value, path? }' }),
  event: Type.Optional(Type.Unknown({ description: '{ type, params } sent as msg.event (type defaults to the rule name)' })),
});

const FactSchema = Type.Object({
  name: Type.String({ description: 'The fact name conditions use' }),
  property: Type.String({ default: 'payload', description: 'Where the value comes from' }),
  propertyType: TypedInputType('msg', 'msg, flow, global or env'),
});

const RulesConfig = Type.Object({
  name: NodeName,
  rules: Type.Array(RuleSchema, { default: [], description: 'The rules, in json-rules-engine format' }),
  facts: Type.Array(FactSchema, { default: [], description: 'Named facts read from the message, context or environment' }),
  outputMode: Type.Union([Type.Literal('ports'), Type.Literal('events')], { default: 'ports', description: 'ports: one output per rule; events: one output, a message per fired rule' }),
  outputs: NumberLike(1, 'Number of outputs (the editor keeps it equal to the number of rules in ports mode)'),
});
type RulesConfig = Static<typeof RulesConfig>;

const CONTEXT_FACT = /^(flow|global)\.(.+)$/;

/** Fact names → readers: `msg`, the configured named facts, then `flow.<key>` / `global.<key>`. */
function factResolver(node: NodeApi, config: RulesConfig): { resolve: (name: string) => FactReader | undefined; names: () => string } {
  const named = new Map<string, FactReader>();
  config.facts.forEach((fact, i) => {
    const type = fact.propertyType || 'msg';
    if (!['msg', 'flow', 'global', 'env'].includes(type)) throw new Error(`Node ${node.id}: facts[${i}].propertyType: "${type}" is not usable; use msg, flow, global or env`);
    if (!fact.name || fact.name === 'msg' || CONTEXT_FACT.test(fact.name)) throw new Error(`Node ${node.id}: facts[${i}].name: "${fact.name}" is empty or reserved; pick another name (msg, flow.* and global.* are built in)`);
    const prepared = prepareTypedValue(node, fact.property, type, `facts[${i}].property`);
    // Context and env are read once per message, as json-rules-engine caches a fact for one run.
    const cacheKey = `named:${fact.name}`;
    named.set(fact.name, type === 'msg' ? (scope) => safeRead(() => prepared.evaluate(scope.msg as FlowMessage)) : cached(cacheKey, (scope) => safeRead(() => prepared.evaluate(scope.msg as FlowMessage))));
  });
  const context = node.context();
  return {
    resolve(name) {
      if (name === 'msg') return (scope) => scope.msg;
      const reader = named.get(name);
      if (reader) return reader;
      const match = CONTEXT_FACT.exec(name);
      if (!match) return undefined;
      const scopeOf = match[1] === 'flow' ? context.flow : context.global;
      const key = match[2]!;
      return cached(name, () => scopeOf.get(key));
    },
    names: () => ['msg', ...named.keys(), 'flow.<key>', 'global.<key>'].join(', '),
  };
}

function cached(key: string, read: FactReader): FactReader {
  return (scope) => {
    if (scope.cache.has(key)) return scope.cache.get(key);
    const value = read(scope);
    scope.cache.set(key, value);
    return value;
  };
}

/** A missing message property is an undefined fact (json-rules-engine's allowUndefinedFacts), not an error. */
function safeRead(read: () => unknown): unknown {
  try {
    return read();
  } catch {
    return undefined;
  }
}

export const rulesNode = defineNode({
  type: 'rules',
  category: 'alerts',
  config: RulesConfig,
  inputs: 1,
  outputs: (config) => (config.outputMode === 'events' ? 1 : config.rules.length),
  editor: { label: 'rules', icon: 'switch.svg', color: '#F3B567', widgets: { rules: 'rule-builder', facts: 'rule-facts' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const facts = factResolver(node, config);
    let rules: CompiledRule[];
    try {
      rules = compileRules(config.rules, facts.resolve, facts.names);
    } catch (err) {
      if (err instanceof RuleConfigError) throw new Error(`Node ${node.id}: ${err.message}`);
      throw err;
    }
    const portCount = config.rules.length;
    const eventsMode = config.outputMode === 'events';

    return {
      input(msg, send) {
        const scope: FactScope = { msg, cache: new Map() };
        const fired = rules.filter((rule) => rule.test(scope));
        if (fired.length === 0) return;
        if (eventsMode) {
          // One message per fired rule, highest priority first; the first is the original object.
          const out = fired.map((rule, i) => {
            const copy = i === 0 ? msg : cloneMessage(msg);
            copy.rule = rule.name;
            copy.event = rule.event.params === undefined ? { type: rule.event.type } : { type: rule.event.type, params: structuredClone(rule.event.params) };
            return copy;
          });
          send([out]);
          return;
        }
        const ports: PortValue[] = new Array<PortValue>(portCount).fill(null);
        for (const rule of fired) ports[rule.index] = msg;
        send(ports);
      },
    };
  },
});
