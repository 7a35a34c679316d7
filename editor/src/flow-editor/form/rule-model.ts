/**
 * The rules node's rules (json-rules-engine format) as a tree a form can edit:
 * groups (`all`/`any` of a list, `not` of exactly one) holding conditions or groups.
 * Whatever the builder cannot show as rows (conditions with `params`, `name`,
 * `priority`, `condition` references, anything unknown) is kept as an opaque node and
 * written back unchanged, so the builder never loses what it cannot show.
 */
export const RULE_OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain'] as const;

export type GroupMode = 'all' | 'any' | 'not';

export interface ConditionNode {
  kind: 'condition';
  fact: string;
  operator: string;
  /** As typed: numbers, true/false and JSON arrays are parsed back when saved. */
  value: string;
  path?: string;
  /** The value as loaded and its text: written back as it was while the text is unchanged (keeps "5" a string). */
  original?: { text: string; value: unknown };
}

export interface GroupNode {
  kind: 'group';
  mode: GroupMode;
  /** For `not`, exactly one child. */
  children: RuleNode[];
  /** Other keys of the group (name, priority ...), kept unchanged. */
  extra: Record<string, unknown>;
}

/** A condition the rows cannot show: shown as read-only JSON, written back unchanged. */
export interface OpaqueNode {
  kind: 'opaque';
  json: unknown;
}

export type RuleNode = ConditionNode | GroupNode | OpaqueNode;

export interface RuleRow {
  name: string;
  priority: string;
  root: GroupNode;
  /** Set while the rule's conditions are edited as JSON (always when they are not an all/any/not group). */
  raw?: string;
  /** Why the JSON could not be shown as rows. */
  error?: string;
  /** Other properties of the rule (event ...), kept unchanged. */
  rest: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
}

/** Typed text back to a value: numbers, booleans, null and JSON arrays/objects parse; anything else is a string. */
export function parseValue(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed !== '' && !Number.isNaN(Number(trimmed))) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false' || trimmed === 'null' || /^[[{]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

const CONDITION_KEYS = ['fact', 'operator', 'value', 'path'];

function groupMode(json: Record<string, unknown>): GroupMode | undefined {
  const modes = (['all', 'any', 'not'] as const).filter((m) => m in json);
  if (modes.length !== 1) return undefined;
  const mode = modes[0]!;
  if (mode === 'not') return isRecord(json['not']) ? mode : undefined;
  return Array.isArray(json[mode]) ? mode : undefined;
}

/** One json-rules-engine condition (or group) as a node; what rows cannot show becomes opaque. */
export function toNode(json: unknown): RuleNode {
  if (!isRecord(json)) return { kind: 'opaque', json };
  const mode = groupMode(json);
  if (mode) {
    const { [mode]: inner, ...extra } = json;
    const children = mode === 'not' ? [toNode(inner)] : (inner as unknown[]).map(toNode);
    return { kind: 'group', mode, children, extra };
  }
  const simple = typeof json['fact'] === 'string' && typeof json['operator'] === 'string' && 'value' in json && (json['path'] === undefined || typeof json['path'] === 'string') && Object.keys(json).every((k) => CONDITION_KEYS.includes(k));
  if (!simple) return { kind: 'opaque', json };
  const text = valueText(json['value']);
  return {
    kind: 'condition',
    fact: json['fact'] as string,
    operator: json['operator'] as string,
    value: text,
    ...(typeof json['path'] === 'string' ? { path: json['path'] } : {}),
    original: { text, value: json['value'] },
  };
}

export function fromNode(node: RuleNode): unknown {
  if (node.kind === 'opaque') return node.json;
  if (node.kind === 'group') return { ...node.extra, [node.mode]: node.mode === 'not' ? fromNode(node.children[0]!) : node.children.map(fromNode) };
  const value = node.original && node.original.text === node.value ? node.original.value : parseValue(node.value);
  return { fact: node.fact, operator: node.operator, value, ...(node.path ? { path: node.path } : {}) };
}

export function newCondition(): ConditionNode {
  return { kind: 'condition', fact: 'msg', path: '$.payload', operator: 'greaterThan', value: '0' };
}

export function newGroup(): GroupNode {
  return { kind: 'group', mode: 'all', children: [newCondition()], extra: {} };
}

export function newRule(index: number): RuleRow {
  return { name: `rule ${index}`, priority: '', root: newGroup(), rest: {} };
}

function ruleConditions(conditions: unknown): Pick<RuleRow, 'root' | 'raw'> {
  const root = toNode(conditions);
  if (root.kind === 'group') return { root };
  return { root: newGroup(), raw: JSON.stringify(conditions ?? { all: [] }, null, 2) };
}

export function toRows(rules: unknown): RuleRow[] {
  if (!Array.isArray(rules)) return [];
  return rules.map((rule): RuleRow => {
    const { name, priority, conditions, ...rest } = isRecord(rule) ? rule : {};
    // A name or priority the inputs cannot hold as text stays in `rest`, unchanged.
    if (name !== undefined && typeof name !== 'string') rest['name'] = name;
    if (priority !== undefined && typeof priority !== 'number' && typeof priority !== 'string') rest['priority'] = priority;
    return {
      name: typeof name === 'string' ? name : '',
      priority: typeof priority === 'number' || typeof priority === 'string' ? String(priority) : '',
      ...ruleConditions(conditions),
      rest,
    };
  });
}

export function conditionsOf(row: RuleRow): unknown {
  if (row.raw === undefined) return fromNode(row.root);
  try {
    return JSON.parse(row.raw) as unknown;
  } catch {
    return row.raw;
  }
}

export function fromRows(rows: readonly RuleRow[]): Array<Record<string, unknown>> {
  return rows.map((row) => ({
    ...row.rest,
    ...(row.name ? { name: row.name } : {}),
    ...(row.priority.trim() !== '' ? { priority: parseValue(row.priority) } : {}),
    conditions: conditionsOf(row),
  }));
}

/** "Edit as JSON": the rule's conditions as JSON text. */
export function editAsJson(row: RuleRow): RuleRow {
  const { error: _error, ...rest } = row;
  return { ...rest, raw: JSON.stringify(conditionsOf(row), null, 2) };
}

/** "Edit as rows": parse the JSON; if it is not valid or not a group, stay in JSON with `error` saying why. */
export function editAsRows(row: RuleRow): RuleRow {
  if (row.raw === undefined) return row;
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.raw) as unknown;
  } catch (err) {
    return { ...row, error: `Invalid JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
  const root = toNode(parsed);
  if (root.kind !== 'group') return { ...row, error: 'The conditions must be an object with one of "all" (list), "any" (list) or "not" (object) to be edited as rows.' };
  const { raw: _raw, error: _error, ...rest } = row;
  return { ...rest, root };
}

/** A node's position: child indices from the rule's root group (0-based). */
export type NodePath = readonly number[];

export function nodeAt(root: GroupNode, path: NodePath): RuleNode | undefined {
  let node: RuleNode | undefined = root;
  for (const i of path) node = node?.kind === 'group' ? node.children[i] : undefined;
  return node;
}

/** The tree with the node at `path` replaced by `fn(node)` (or removed when fn returns undefined). */
export function updateAt(root: GroupNode, path: NodePath, fn: (node: RuleNode) => RuleNode | undefined): GroupNode {
  if (path.length === 0) {
    const next = fn(root);
    return next?.kind === 'group' ? next : root;
  }
  const [head, ...tail] = path as [number, ...number[]];
  const child = root.children[head];
  if (!child) return root;
  let next: RuleNode | undefined;
  if (tail.length === 0) next = fn(child);
  else if (child.kind === 'group') next = updateAt(child, tail, fn);
  else return root;
  const children = next === undefined ? root.children.filter((_, i) => i !== head) : root.children.map((c, i) => (i === head ? next : c));
  return { ...root, children };
}

/** Whether a group can take another child (`not` holds exactly one). */
export function canAdd(group: GroupNode): boolean {
  return group.mode !== 'not' || group.children.length === 0;
}

export function addChild(root: GroupNode, groupPath: NodePath, child: RuleNode): GroupNode {
  return updateAt(root, groupPath, (node) => (node.kind === 'group' && canAdd(node) ? { ...node, children: [...node.children, child] } : node));
}

/** Whether the node at `path` can be removed: not the root, and not the only child of a `not`. */
export function canRemove(root: GroupNode, path: NodePath): boolean {
  if (path.length === 0) return false;
  const parent = nodeAt(root, path.slice(0, -1));
  return parent?.kind === 'group' && parent.mode !== 'not';
}

export function removeAt(root: GroupNode, path: NodePath): GroupNode {
  return canRemove(root, path) ? updateAt(root, path, () => undefined) : root;
}

/** `not` needs exactly one child; all/any take any number. */
export function canSetMode(group: GroupNode, mode: GroupMode): boolean {
  return mode !== 'not' || group.children.length === 1;
}

export function setMode(root: GroupNode, path: NodePath, mode: GroupMode): GroupNode {
  return updateAt(root, path, (node) => (node.kind === 'group' && canSetMode(node, mode) ? { ...node, mode } : node));
}

export function setCondition(root: GroupNode, path: NodePath, patch: Partial<Omit<ConditionNode, 'kind' | 'original'>>): GroupNode {
  return updateAt(root, path, (node) => (node.kind === 'condition' ? { ...node, ...patch } : node));
}
