/**
 * The rules node's rules (json-rules-engine format) as rows a form can edit: one
 * level of `all`/`any` with simple conditions. A rule nested deeper is kept as
 * it is and edited as JSON, so the builder never loses what it cannot show.
 */
export const RULE_OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain'] as const;

export interface ConditionRow {
  fact: string;
  operator: string;
  /** As typed: numbers, true/false and JSON arrays are parsed back when saved. */
  value: string;
  path?: string;
}

export interface RuleRow {
  name: string;
  priority: string;
  mode: 'all' | 'any';
  conditions: ConditionRow[];
  /** Set when the rule's conditions are not one flat all/any list: edited as JSON instead. */
  raw?: string;
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

export function toRows(rules: unknown): RuleRow[] {
  if (!Array.isArray(rules)) return [];
  return rules.map((rule): RuleRow => {
    const { name, priority, conditions, ...rest } = isRecord(rule) ? rule : {};
    const base = { name: typeof name === 'string' ? name : '', priority: priority === undefined ? '' : String(priority), rest };
    const mode = isRecord(conditions) && Array.isArray(conditions['all']) ? 'all' : isRecord(conditions) && Array.isArray(conditions['any']) ? 'any' : undefined;
    const list = mode && isRecord(conditions) ? (conditions[mode] as unknown[]) : undefined;
    const flat = list?.every((c) => isRecord(c) && typeof c['fact'] === 'string' && typeof c['operator'] === 'string' && Object.keys(c).every((k) => ['fact', 'operator', 'value', 'path'].includes(k)));
    if (!mode || !list || !flat) return { ...base, mode: 'all', conditions: [], raw: JSON.stringify(conditions ?? { all: [] }, null, 2) };
    return {
      ...base,
      mode,
      conditions: (list as Array<Record<string, unknown>>).map((c) => ({
        fact: c['fact'] as string,
        operator: c['operator'] as string,
        value: valueText(c['value']),
        ...(typeof c['path'] === 'string' ? { path: c['path'] } : {}),
      })),
    };
  });
}

export function fromRows(rows: readonly RuleRow[]): Array<Record<string, unknown>> {
  return rows.map((row) => {
    let conditions: unknown;
    if (row.raw !== undefined) {
      try {
        conditions = JSON.parse(row.raw) as unknown;
      } catch {
        conditions = row.raw;
      }
    } else {
      conditions = { [row.mode]: row.conditions.map((c) => ({ fact: c.fact, operator: c.operator, value: parseValue(c.value), ...(c.path ? { path: c.path } : {}) })) };
    }
    return {
      ...row.rest,
      ...(row.name ? { name: row.name } : {}),
      ...(row.priority.trim() !== '' ? { priority: parseValue(row.priority) } : {}),
      conditions,
    };
  });
}
