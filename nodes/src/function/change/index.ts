import { Type, type Static } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside, type FlowMessage, type NodeApi } from '@loopedge/runtime';
import { ChangeRuleError, compileMove, compileRule, type ChangeRule, type ChangeStep } from './change-rules.js';

const ChangeRuleSchema = Type.Object({
  t: Type.Optional(Type.String({ description: 'set, change, delete or move' })),
  p: Type.Optional(Type.String({ description: 'The property to act on' })),
  pt: Type.Optional(Type.String({ description: 'Where it lives: msg, flow or global' })),
  to: Type.Optional(Type.Unknown({ description: 'set/change: the new value; move: the destination' })),
  tot: Type.Optional(Type.String({ description: 'Type of `to`: str, num, bool, json, bin, date, msg, flow, global, env, jsonata' })),
  from: Type.Optional(Type.Unknown({ description: 'change: what to search for' })),
  fromt: Type.Optional(Type.String({ description: 'Type of `from`: str, num, bool, re, msg, flow, global' })),
  dc: Type.Optional(Type.Boolean({ description: 'Deep-copy the value before setting it' })),
  re: Type.Optional(Type.Boolean({ description: 'Legacy: `from` is a regular expression' })),
});

const ChangeConfig = Type.Object({
  name: NodeName,
  // No default: a change node without `rules` is the legacy single-rule form.
  rules: Type.Optional(Type.Array(ChangeRuleSchema, { description: 'Rules, applied in order' })),
  action: Type.Optional(Type.String({ description: 'Legacy: replace, change, delete or move' })),
  property: Type.Optional(Type.String({ description: 'Legacy: the property' })),
  from: Type.Optional(Type.Unknown({ description: 'Legacy: search for' })),
  to: Type.Optional(Type.Unknown({ description: 'Legacy: replace with / move to' })),
  reg: Type.Optional(Type.Union([Type.Boolean(), Type.Null()], { description: 'Legacy: `from` is a regular expression' })),
});
type ChangeConfig = Static<typeof ChangeConfig>;
type RawRule = Static<typeof ChangeRuleSchema>;

/** The single rule of a pre-0.12 change node (action/property/from/to/reg). */
function legacyRule(config: ChangeConfig): RawRule {
  const t = config.action === 'replace' ? 'set' : (config.action ?? '');
  const rule: RawRule = { t, p: config.property || '' };
  if (t === 'set') rule.to = config.to || '';
  if (t === 'move') {
    rule.to = config.to || '';
    rule.tot = 'msg'; // Node-RED leaves this unset and the move never completes there
  }
  if (t === 'change') {
    rule.from = config.from || '';
    rule.to = config.to || '';
    rule.re = config.reg === null || config.reg === true;
  }
  return rule;
}

/** Node-RED's migration of older rule forms to type-aware rules. */
export function normaliseRule(raw: RawRule): ChangeRule {
  const rule: ChangeRule = {
    t: raw.t ?? '',
    p: String(raw.p ?? ''),
    pt: raw.pt || 'msg',
    to: raw.to,
    tot: raw.tot ?? '',
    from: raw.from,
    fromt: raw.fromt ?? '',
    dc: raw.dc === true,
  };
  if (rule.t === 'change' && raw.re) rule.fromt = 're';
  if (rule.t === 'set' && !rule.tot && typeof rule.to === 'string' && rule.to.startsWith('msg.')) {
    rule.to = rule.to.slice(4);
    rule.tot = 'msg';
  }
  if (!rule.tot) rule.tot = 'str';
  if (!rule.fromt) rule.fromt = 'str';
  return rule;
}

function compileRules(node: NodeApi, config: ChangeConfig): ChangeStep[] {
  const raw = config.rules ?? [legacyRule(config)];
  const steps: ChangeStep[] = [];
  raw.forEach((r, index) => {
    const rule = normaliseRule(r);
    try {
      if (rule.t === 'move') steps.push(...compileMove(node, rule, index));
      else if (rule.t === 'set' || rule.t === 'change' || rule.t === 'delete') steps.push(compileRule(node, rule, index));
      // Node-RED passes messages through a rule it does not know (an empty
      // legacy node has none); say so when it looks like a typo.
      else if (rule.t) node.warn(`Node ${node.id}, rule ${index + 1}: unknown action "${rule.t}" (expected set, change, delete or move); the rule does nothing`);
    } catch (err) {
      if (err instanceof ChangeRuleError) throw err;
      throw new ChangeRuleError(node.id, index, err instanceof Error ? err.message : String(err));
    }
  });
  return steps;
}

/** Run the steps from `start`; synchronous until a step returns a promise (JSONata). */
function runSteps(steps: ChangeStep[], msg: FlowMessage, start: number): boolean | Promise<boolean> {
  for (let i = start; i < steps.length; i++) {
    const outcome = steps[i]!(msg);
    if (outcome === true) continue;
    if (outcome === false) return false;
    return outcome.then((goOn) => (goOn ? runSteps(steps, msg, i + 1) : false));
  }
  return true;
}

export const changeNode = defineNode({
  type: 'change',
  category: 'function',
  config: ChangeConfig,
  inputs: 1,
  outputs: 1,
  editor: { label: 'change', icon: 'swap.svg', color: '#E2D96E', widgets: { rules: 'change-rules' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const steps = compileRules(node, config);
    return {
      input(msg, send) {
        const outcome = runSteps(steps, msg, 0);
        if (outcome === true) send(msg);
        else if (outcome !== false) {
          return outcome.then((goOn) => {
            if (goOn) send(msg);
          });
        }
      },
    };
  },
});
