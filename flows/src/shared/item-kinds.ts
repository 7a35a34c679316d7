import { STRUCTURAL_TYPES, SUBFLOW_INSTANCE_PREFIX } from '../types.js';

/** Caller-supplied knowledge of which node types are config nodes (from the node registry). */
export type ConfigTypeTest = (type: string) => boolean;

/** The subflow template id of a subflow instance type `subflow:<id>`, or undefined. */
export function subflowTemplateId(type: string): string | undefined {
  return type.startsWith(SUBFLOW_INSTANCE_PREFIX) ? type.slice(SUBFLOW_INSTANCE_PREFIX.length) : undefined;
}

export function isStructuralType(type: string): boolean {
  return STRUCTURAL_TYPES.has(type);
}

/** Tabs and subflow templates are the containers a node's `z` may name. */
export function isFlowContainerType(type: string): boolean {
  return type === 'tab' || type === 'subflow';
}

/** `z` as the document holds it: Node-RED writes `""` or omits it for global config nodes. */
export function containerOf(item: Readonly<Record<string, unknown>>): string | undefined {
  const z = item['z'];
  return typeof z === 'string' && z !== '' ? z : undefined;
}

/**
 * Whether a non-structural item is a config node. The registry knows best; without it
 * we use Node-RED's own rule (flows/util.js parseConfig): a node placed on the canvas
 * has x and y, anything else is a config node — global without z, scoped with one.
 */
export function isConfigNode(item: Readonly<Record<string, unknown>>, isConfigType?: ConfigTypeTest): boolean {
  const type = item['type'];
  if (typeof type !== 'string' || isStructuralType(type)) return false;
  if (isConfigType !== undefined) return safeTest(isConfigType, type);
  return !hasCanvasPosition(item);
}

/** Placed on the canvas: Node-RED only starts a node as part of a flow when it has both x and y. */
export function hasCanvasPosition(item: Readonly<Record<string, unknown>>): boolean {
  return item['x'] !== undefined && item['y'] !== undefined;
}

/** Call a caller-supplied predicate without letting its failure escape. */
export function safeTest(test: (type: string) => boolean, type: string): boolean {
  try {
    return test(type) === true;
  } catch {
    return false;
  }
}
