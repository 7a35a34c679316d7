/**
 * The change node's rules in Node-RED's shape (`{ t, p, pt, to, tot, from,
 * fromt, dc }`), edited in place so untouched rules round-trip unchanged.
 * The value types per field follow Node-RED's 15-change.html.
 */
export interface ChangeRule {
  t: string;
  p?: string;
  pt?: string;
  to?: unknown;
  tot?: string;
  from?: unknown;
  fromt?: string;
  dc?: boolean;
  [other: string]: unknown;
}

export const CHANGE_ACTIONS = [
  { t: 'set', label: 'Set' },
  { t: 'change', label: 'Change' },
  { t: 'delete', label: 'Delete' },
  { t: 'move', label: 'Move' },
] as const;

/** Where the property lives (`pt`). */
export const PROPERTY_TYPES = ['msg', 'flow', 'global'] as const;
/** `to` of a set: any value. */
export const SET_TYPES = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 'date', 'jsonata', 'env'] as const;
/** `from` of a change: what to search for. */
export const SEARCH_TYPES = ['str', 're', 'num', 'bool', 'msg', 'flow', 'global', 'env'] as const;
/** `to` of a change: what to put instead. */
export const REPLACE_TYPES = ['str', 'num', 'bool', 'json', 'bin', 'msg', 'flow', 'global', 'env'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The rules shown for a node: its `rules`, or for a pre-0.12 node without them
 * the one rule its action/property/from/to/reg describe (the runtime reads it
 * so too); the first edit saves it as `rules`, as Node-RED's editor does.
 */
export function changeRulesOf(value: unknown, legacy: Record<string, unknown> = {}): ChangeRule[] {
  if (!Array.isArray(value)) {
    const action = legacy['action'] === 'replace' ? 'set' : legacy['action'];
    if (typeof action !== 'string' || !action) return [];
    const p = typeof legacy['property'] === 'string' ? legacy['property'] : '';
    const rule: ChangeRule = { t: action, p, pt: 'msg' };
    if (action === 'set' || action === 'move') Object.assign(rule, { to: legacy['to'] ?? '', tot: action === 'move' ? 'msg' : 'str' });
    if (action === 'change') Object.assign(rule, { from: legacy['from'] ?? '', fromt: legacy['reg'] === true || legacy['reg'] === null ? 're' : 'str', to: legacy['to'] ?? '', tot: 'str' });
    return [rule];
  }
  return value.map((rule) => (isRecord(rule) ? ({ t: 'set', ...rule } as ChangeRule) : newChangeRule()));
}

/** The rule Node-RED's editor adds: set msg.payload to "". */
export function newChangeRule(): ChangeRule {
  return { t: 'set', p: 'payload', pt: 'msg', to: '', tot: 'str' };
}

/** The types offered for `to` of an action (none for delete). */
export function toTypesOf(t: string): readonly string[] {
  if (t === 'set') return SET_TYPES;
  if (t === 'change') return REPLACE_TYPES;
  if (t === 'move') return PROPERTY_TYPES;
  return [];
}

/**
 * A rule with another action, shaped as Node-RED saves it: delete keeps only
 * the property, move a destination property, change a search and replacement,
 * set a value (and `dc`). The property and typed values carry over where valid.
 */
export function withAction(rule: ChangeRule, t: string): ChangeRule {
  const base: ChangeRule = { t, p: rule.p ?? 'payload', pt: rule.pt ?? 'msg' };
  if (t === 'delete') return base;
  const toTypes = toTypesOf(t);
  const tot = rule.tot && toTypes.includes(rule.tot) ? rule.tot : (toTypes[0] ?? 'str');
  const to = rule.tot === tot ? (rule.to ?? '') : '';
  if (t === 'move') return { ...base, to, tot };
  if (t === 'change') {
    const fromt = rule.fromt && (SEARCH_TYPES as readonly string[]).includes(rule.fromt) ? rule.fromt : 'str';
    return { ...base, from: rule.from ?? '', fromt, to, tot };
  }
  return { ...base, to, tot: t === 'set' && !rule.tot ? 'str' : tot, ...(rule.dc === true ? { dc: true } : {}) };
}

/** A rule with one field set; `dc` false is removed rather than written, as Node-RED does. */
export function withField(rule: ChangeRule, field: 'p' | 'pt' | 'to' | 'tot' | 'from' | 'fromt' | 'dc', value: unknown): ChangeRule {
  const next: ChangeRule = { ...rule, [field]: value };
  if (field === 'dc' && value !== true) delete next.dc;
  return next;
}
