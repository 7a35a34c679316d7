import type { FlowNode, FlowProblem } from '../types.js';
import { describeValue, indexPath, quote } from '../shared/field-path.js';
import { containerOf, hasCanvasPosition, isConfigNode, isFlowContainerType, isStructuralType, safeTest, subflowTemplateId } from '../shared/item-kinds.js';
import { dataValue, errorText } from './scan-values.js';
import { push, type ItemEntry, type ItemIndex } from './item-index.js';
import type { ValidationOptions } from './validation-options.js';

/**
 * Step 2 of validation: every reference an item makes — its type, its tab (`z`), its
 * wires, its group, a group's members, a subflow's ports — must name something that
 * exists in the document and is of the right kind.
 */

interface ReferenceCheck {
  readonly entry: ItemEntry;
  readonly index: ItemIndex;
  readonly options: ValidationOptions;
  readonly problems: FlowProblem[];
}

export function checkReferences(index: ItemIndex, options: ValidationOptions, problems: FlowProblem[]): void {
  for (const entry of index.entries) {
    const check: ReferenceCheck = { entry, index, options, problems };
    try {
      checkType(check);
      checkContainer(check);
      checkWires(check);
      checkGroupMembership(check);
      if (entry.type === 'group') checkGroupNodes(check);
      if (entry.type === 'subflow') checkSubflowPorts(check);
    } catch (error) {
      report(check, 'invalid-field', '$', `could not be checked (${errorText(error)}); flow documents must be plain JSON data`);
    }
  }
}

function checkType({ entry, index, options, problems }: ReferenceCheck): void {
  const type = entry.type;
  if (type === undefined || isStructuralType(type)) return;
  const templateId = subflowTemplateId(type);
  if (templateId !== undefined) {
    if (index.byId.get(templateId)?.type !== 'subflow') {
      push(problems, 'unknown-type', entry.index, entry.id, 'type',
        `is an instance of subflow ${quote(templateId)}, which is not in the document; import the subflow with it or remove the node`);
    }
    return;
  }
  if (options.isKnownType !== undefined && !safeTest(options.isKnownType, type)) {
    push(problems, 'unknown-type', entry.index, entry.id, 'type',
      `node type ${quote(type)} is not installed; install the package that provides it or remove the node`);
  }
}

function checkContainer(check: ReferenceCheck): void {
  const { entry, index, options } = check;
  if (entry.type === 'tab' || entry.type === 'subflow') return; // top-level containers sit on nothing
  const z = dataValue(entry.item, 'z');
  if (z !== undefined && z !== null && typeof z !== 'string') {
    report(check, 'invalid-field', 'z', `is ${describeValue(z)}; z must be the id of the tab or subflow the node sits on`);
    return;
  }
  const containerId = containerOf(entry.item);
  if (containerId === undefined) {
    if (entry.type !== 'group' && !needsContainer(entry, options)) return;
    report(check, 'missing-tab', 'z',
      'has no z; every flow node and group must sit on a tab or in a subflow — set z to a tab id (only config nodes may omit it)');
    return;
  }
  const container = index.byId.get(containerId);
  if (container === undefined) {
    report(check, 'missing-tab', 'z',
      `names ${quote(containerId)}, which is not a tab or subflow in this document; move the node to an existing tab or add the tab`);
  } else if (container.type === undefined || !isFlowContainerType(container.type)) {
    report(check, 'missing-tab', 'z',
      `names ${quote(containerId)}, which is ${kindOf(container)}, not a tab or subflow; set z to a tab or subflow id`);
  }
}

function checkWires(check: ReferenceCheck): void {
  const wires = dataValue(check.entry.item, 'wires');
  if (wires === undefined) return;
  if (!Array.isArray(wires)) {
    report(check, 'invalid-field', 'wires',
      `is ${describeValue(wires)}; wires must be an array with one array of target ids per output, e.g. [["n2"], []]`);
    return;
  }
  const outputs = outputCountOf(check);
  for (let port = 0; port < wires.length; port++) {
    const targets: unknown = wires[port];
    const portPath = indexPath('wires', port);
    if (!Array.isArray(targets)) {
      report(check, 'invalid-field', portPath, `is ${describeValue(targets)}; each output's wires must be an array of target ids`);
      continue;
    }
    // An empty array past the last output is harmless (Node-RED ignores it), so only real wires count.
    if (outputs !== undefined && port >= outputs && targets.length > 0) {
      report(check, 'no-such-port', portPath,
        `wires output ${port + 1}, but this node has ${outputs} output${outputs === 1 ? '' : 's'}; remove these wires or add outputs`);
    }
    for (let position = 0; position < targets.length; position++) {
      checkWireTarget(check, targets[position] as unknown, indexPath(portPath, position));
    }
  }
}

function checkWireTarget(check: ReferenceCheck, target: unknown, path: string): void {
  if (typeof target !== 'string') {
    report(check, 'invalid-field', path, `is ${describeValue(target)}; a wire must name its target node by id (a string)`);
    return;
  }
  const targetEntry = check.index.byId.get(target);
  if (targetEntry === undefined) {
    report(check, 'missing-wire-target', path,
      `is wired to ${quote(target)}, which is not in the document; remove the wire or add the missing node`);
  } else if (targetEntry.type !== undefined && isStructuralType(targetEntry.type)) {
    report(check, 'invalid-field', path, `is wired to ${quote(target)}, which is ${kindOf(targetEntry)} and cannot receive messages; remove the wire`);
  } else if (check.options.isConfigType !== undefined && isConfigNode(targetEntry.item, check.options.isConfigType)) {
    report(check, 'invalid-field', path,
      `is wired to ${quote(target)}, which is a config node (${quote(targetEntry.type ?? '')}) and cannot receive messages; remove the wire`);
  }
}

/**
 * A node without z is global, as in Node-RED, unless it is placed on the canvas (x and y)
 * and not a config type: Node-RED would silently drop such a node, so it is a problem here.
 * Node-RED test-helper flows (no z, no x/y) therefore stay valid.
 */
function needsContainer(entry: ItemEntry, options: ValidationOptions): boolean {
  if (!hasCanvasPosition(entry.item)) return false;
  return !(options.isConfigType !== undefined && entry.type !== undefined && safeTest(options.isConfigType, entry.type));
}

/** The node's output count when the caller or the subflow template knows it. */
function outputCountOf({ entry, index, options }: ReferenceCheck): number | undefined {
  if (options.outputCount !== undefined) {
    try {
      const count = options.outputCount(entry.item as FlowNode);
      if (typeof count === 'number' && Number.isInteger(count) && count >= 0) return count;
    } catch {
      // A registry that cannot answer for this node means "unknown", not "broken document".
    }
  }
  const templateId = entry.type === undefined ? undefined : subflowTemplateId(entry.type);
  if (templateId === undefined) return undefined;
  const template = index.byId.get(templateId);
  if (template?.type !== 'subflow') return undefined;
  const out = dataValue(template.item, 'out');
  return Array.isArray(out) ? out.length : undefined;
}

function checkGroupMembership(check: ReferenceCheck): void {
  const g = dataValue(check.entry.item, 'g');
  if (g === undefined || g === null || g === '') return;
  if (typeof g !== 'string') {
    report(check, 'invalid-field', 'g', `is ${describeValue(g)}; g must be the id of the group the node belongs to`);
    return;
  }
  const group = check.index.byId.get(g);
  if (group === undefined) {
    report(check, 'missing-reference', 'g', `names group ${quote(g)}, which is not in the document; remove g or add the group`);
  } else if (group.type !== 'group') {
    report(check, 'missing-reference', 'g', `names ${quote(g)}, which is ${kindOf(group)}, not a group; remove g or point it at a group`);
  }
}

function checkGroupNodes(check: ReferenceCheck): void {
  const members = dataValue(check.entry.item, 'nodes');
  if (members === undefined) return;
  if (!Array.isArray(members)) {
    report(check, 'invalid-field', 'nodes', `is ${describeValue(members)}; a group's nodes must be an array of node ids`);
    return;
  }
  for (let position = 0; position < members.length; position++) {
    const member: unknown = members[position];
    const path = indexPath('nodes', position);
    if (typeof member !== 'string') {
      report(check, 'invalid-field', path, `is ${describeValue(member)}; a group's nodes must be node ids (strings)`);
    } else if (!check.index.byId.has(member)) {
      report(check, 'missing-reference', path, `lists ${quote(member)}, which is not in the document; remove it from the group`);
    }
  }
}

/** A subflow's input, output and status ports wire to nodes inside the subflow. */
function checkSubflowPorts(check: ReferenceCheck): void {
  const inputs = dataValue(check.entry.item, 'in');
  const outputs = dataValue(check.entry.item, 'out');
  const status = dataValue(check.entry.item, 'status');
  checkPortList(check, 'in', inputs, false);
  checkPortList(check, 'out', outputs, true);
  if (status !== undefined && status !== null) checkPort(check, 'status', status, true);
}

function checkPortList(check: ReferenceCheck, field: 'in' | 'out', ports: unknown, mayNameSubflow: boolean): void {
  if (ports === undefined) return;
  if (!Array.isArray(ports)) {
    report(check, 'invalid-field', field, `is ${describeValue(ports)}; a subflow's ${field} must be an array of ports`);
    return;
  }
  for (let position = 0; position < ports.length; position++) {
    checkPort(check, indexPath(field, position), ports[position] as unknown, mayNameSubflow);
  }
}

function checkPort(check: ReferenceCheck, path: string, port: unknown, mayNameSubflow: boolean): void {
  const wires = typeof port === 'object' && port !== null ? dataValue(port, 'wires') : undefined;
  if (!Array.isArray(wires)) {
    report(check, 'invalid-field', `${path}.wires`, `is ${describeValue(wires)}; a subflow port needs wires: an array of { id, port }`);
    return;
  }
  for (let position = 0; position < wires.length; position++) {
    const wire: unknown = wires[position];
    const wirePath = indexPath(`${path}.wires`, position);
    const id = typeof wire === 'object' && wire !== null ? dataValue(wire, 'id') : undefined;
    if (typeof id !== 'string') {
      report(check, 'invalid-field', `${wirePath}.id`, `is ${describeValue(id)}; a subflow port wire must name a node id`);
      continue;
    }
    checkPortTarget(check, `${wirePath}.id`, id, mayNameSubflow);
  }
}

function checkPortTarget(check: ReferenceCheck, path: string, id: string, mayNameSubflow: boolean): void {
  const subflowId = check.entry.id;
  // An output wired straight from the subflow's own input names the subflow itself.
  if (mayNameSubflow && id === subflowId) return;
  const target = check.index.byId.get(id);
  if (target === undefined) {
    report(check, 'missing-wire-target', path, `is wired to ${quote(id)}, which is not in the document; remove the wire or add the node`);
  } else if (subflowId === undefined || containerOf(target.item) !== subflowId) {
    report(check, 'invalid-field', path, `is wired to ${quote(id)}, which is not a node inside this subflow; wire the port to a node in the subflow`);
  }
}

function kindOf(entry: ItemEntry): string {
  switch (entry.type) {
    case undefined:
      return 'an item without a type';
    case 'tab':
      return 'a tab';
    case 'subflow':
      return 'a subflow template';
    case 'group':
      return 'a group';
    default:
      return `a node of type ${quote(entry.type)}`;
  }
}

function report(check: ReferenceCheck, code: FlowProblem['code'], field: string, reason: string): void {
  push(check.problems, code, check.entry.index, check.entry.id, field, reason);
}
