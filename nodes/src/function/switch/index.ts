import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, TypedInputType, type FlowMessage, type NodeApi, type PortValue, type SendFunction } from '@loopedge/runtime';
import { prepareTypedValue } from '../../shared/typed-value.js';
import { prepareJsonata } from '../../shared/jsonata-expression.js';
import { compileSwitchRule, type CompiledSwitchRule, type RuleInput } from './switch-rules.js';
import { sequenceParts, SwitchSequences, type MessageParts } from './switch-sequence.js';
import type { SequenceParts } from './switch-operators.js';

const SwitchRuleSchema = Type.Object({
  t: Type.String({ description: 'Operator: eq, neq, lt, lte, gt, gte, btwn, cont, regex, true, false, null, nnull, istype, empty, nempty, head, index, tail, jsonata_exp, hask, else' }),
  v: Type.Optional(Type.Unknown({ description: 'The value to compare with' })),
  vt: Type.Optional(Type.String({ description: 'Type of v: str, num, bool, json, msg, flow, global, env, jsonata, prev (previous value), or a type name for istype' })),
  v2: Type.Optional(Type.Unknown({ description: 'Second value (btwn, index)' })),
  v2t: Type.Optional(Type.String({ description: 'Type of v2' })),
  case: Type.Optional(Type.Union([Type.Boolean(), Type.String()], { description: 'regex: ignore case' })),
});

const SwitchConfig = Type.Object({
  name: NodeName,
  property: Type.String({ default: 'payload', description: 'The property (or JSONata expression) to test' }),
  propertyType: TypedInputType('msg', 'msg, flow, global, env or jsonata'),
  // Node-RED's runtime treats missing rules as none (the editor starts new nodes with one).
  rules: Type.Array(SwitchRuleSchema, { default: [], description: 'One output per rule' }),
  checkall: Type.Union([Type.String(), Type.Boolean()], { default: 'true', description: '"true": check every rule; "false": stop after the first match' }),
  repair: Type.Union([Type.Boolean(), Type.String()], { default: false, description: 'Recreate message sequences (msg.parts) per output' }),
  outputs: NumberLike(1, 'Number of outputs (the editor keeps it equal to the number of rules)'),
});
type SwitchConfig = Static<typeof SwitchConfig>;

/** null = the message stops (the property could not be evaluated). */
type Onward = PortValue[] | null;

function prepareProperty(node: NodeApi, config: SwitchConfig): (msg: FlowMessage) => unknown | Promise<unknown> {
  const type = config.propertyType || 'msg';
  if (type === 'jsonata') {
    let expression;
    try {
      expression = prepareJsonata(node, config.property);
    } catch (err) {
      throw new Error(`Node ${node.id}: property: ${(err as Error).message}`);
    }
    return (msg) => expression.evaluate(msg);
  }
  const prepared = prepareTypedValue(node, config.property, type, 'property');
  return (msg) => {
    try {
      return prepared.evaluate(msg);
    } catch {
      return undefined; // Node-RED reads an unreachable property as undefined
    }
  };
}

export const switchNode = defineNode({
  type: 'switch',
  category: 'function',
  config: SwitchConfig,
  inputs: 1,
  outputs: (config) => config.rules.length,
  editor: { label: 'switch', icon: 'switch.svg', color: '#E2D96E', widgets: { property: 'typed-input:propertyType', rules: 'switch-rules' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const rules: CompiledSwitchRule[] = config.rules.map((rule, index) => compileSwitchRule(node, rule, index));
    const readProperty = prepareProperty(node, config);
    const checkAll = config.checkall !== 'false';
    const repair = Boolean(config.repair);
    const needsCount = repair || rules.some((rule) => rule.type === 'tail');
    const isAsync = config.propertyType === 'jsonata' || rules.some((rule) => rule.isAsync);
    const sequences = new SwitchSequences(Number(node.settings.nodeMessageBufferMaxLength) || 0, rules.length, () => node.newMessageId());
    let previousValue: unknown = null;

    /** Apply one rule; returns false to stop checking (first match with checkall "false"). */
    const decide = (rule: CompiledSwitchRule, property: unknown, v1: unknown, v2: unknown, state: { elseFlag: boolean; onward: PortValue[] }, msg: FlowMessage): boolean => {
      let subject = property;
      if (rule.type === 'else') {
        subject = state.elseFlag;
        state.elseFlag = true;
      }
      if (rule.operator(subject, v1, v2, rule.caseInsensitive, msg.parts as SequenceParts | undefined)) {
        state.onward.push(msg);
        state.elseFlag = false;
        return checkAll;
      }
      state.onward.push(null);
      return true;
    };

    const evaluateSync = (msg: FlowMessage): Onward => {
      const property = readProperty(msg);
      const input: RuleInput = { msg, previousValue, hasParts: sequenceParts(msg) !== null };
      const state = { elseFlag: true, onward: [] as PortValue[] };
      for (const rule of rules) {
        if (!decide(rule, property, rule.getV1(input), rule.getV2(input), state, msg)) break;
      }
      previousValue = property;
      return state.onward;
    };

    const evaluateAsync = async (msg: FlowMessage): Promise<Onward> => {
      let property: unknown;
      try {
        property = await readProperty(msg);
      } catch (err) {
        node.warn(`Invalid JSONata expression: ${(err as Error).message}`);
        return null;
      }
      const input: RuleInput = { msg, previousValue, hasParts: sequenceParts(msg) !== null };
      const state = { elseFlag: true, onward: [] as PortValue[] };
      for (const rule of rules) {
        const v1 = await rule.getV1(input);
        const v2 = await rule.getV2(input);
        if (!decide(rule, property, v1, v2, state, msg)) break;
      }
      previousValue = property;
      return state.onward;
    };

    const deliver = (onward: Onward, parts: MessageParts | null, send: SendFunction): void => {
      if (onward === null) return;
      if (!repair || !parts) {
        send(onward);
        return;
      }
      const sends = sequences.addResult(onward, parts);
      if (sends) for (const ports of sends) node.send(ports);
    };

    const processSync = (msg: FlowMessage, send: SendFunction, checkParts: boolean): void => {
      const parts = sequenceParts(msg);
      if (needsCount && checkParts && parts) {
        const group = sequences.collect(msg, parts);
        if (!group) return;
        for (const member of group) {
          try {
            processSync(member, member === msg ? send : node.send.bind(node), false);
          } catch (err) {
            node.error(err, member);
          }
        }
        return;
      }
      deliver(evaluateSync(msg), parts, send);
    };

    const processAsync = async (msg: FlowMessage, send: SendFunction, checkParts: boolean): Promise<void> => {
      const parts = sequenceParts(msg);
      if (needsCount && checkParts && parts) {
        const group = sequences.collect(msg, parts);
        if (!group) return;
        for (const member of group) {
          try {
            await processAsync(member, member === msg ? send : node.send.bind(node), false);
          } catch (err) {
            node.error(err, member);
          }
        }
        return;
      }
      deliver(await evaluateAsync(msg), parts, send);
    };

    // JSONata makes evaluation asynchronous; messages still leave in arrival
    // order (and previous-value rules see the previous message), as Node-RED's queue does.
    let queue: Promise<void> = Promise.resolve();

    return {
      input(msg, send) {
        if (!isAsync) return processSync(msg, send, true);
        const result = queue.then(() => processAsync(msg, send, true));
        queue = result.catch(() => undefined);
        return result;
      },
      close() {
        sequences.clear();
      },
    };
  },
});
