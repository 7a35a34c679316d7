import { readFile } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import { withDefaults, type AnyNodeTypeDefinition } from '@loopedge/runtime';
import { ApiError } from '../errors.js';
import { StrictObject } from '../schema-tools.js';
import { defineRoute, type AnyRoute } from '../route-types.js';

const NodeTypeSchema = Type.Object({
  type: Type.String(),
  category: Type.String(),
  inputs: Type.Number(),
  /** Ports for the default config; `dynamicOutputs` says the config changes it (switch rules). */
  outputs: Type.Number(),
  dynamicOutputs: Type.Boolean(),
  configNode: Type.Boolean(),
  editor: Type.Record(Type.String(), Type.Unknown()),
  schema: Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the node\'s properties, with defaults' }),
  credentials: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'JSON Schema of the credential fields (values are never returned)' })),
});

/** A TypeBox schema as plain JSON Schema (TypeBox marks its objects with symbols JSON drops). */
function jsonSchema(schema: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

export function describeNodeType(definition: AnyNodeTypeDefinition): Record<string, unknown> {
  let outputs = 0;
  if (typeof definition.outputs === 'number') outputs = definition.outputs;
  else {
    try {
      outputs = definition.outputs(withDefaults(definition, {}));
    } catch {
      outputs = 1;
    }
  }
  return {
    type: definition.type,
    category: definition.category,
    inputs: definition.inputs,
    outputs,
    dynamicOutputs: typeof definition.outputs === 'function',
    configNode: definition.configNode === true,
    editor: definition.editor,
    schema: jsonSchema(definition.config),
    ...(definition.credentials ? { credentials: jsonSchema(definition.credentials) } : {}),
  };
}

async function helpOf(definition: AnyNodeTypeDefinition): Promise<string> {
  if (!definition.helpFile) return '';
  try {
    return await readFile(definition.helpFile, 'utf8');
  } catch {
    return '';
  }
}

export const nodeTypesRoutes: AnyRoute[] = [
  defineRoute({
    method: 'GET',
    path: '/api/nodes',
    permission: 'flows:read',
    tag: 'nodes',
    summary: 'The palette: every node type with its property schema, ports and editor hints',
    response: { status: 200, description: 'Node types', schema: Type.Object({ nodeTypes: Type.Array(NodeTypeSchema) }) },
    handler: ({ services }) => ({ body: { nodeTypes: services.runtime.nodeTypes.map(describeNodeType) } }),
  }),
  defineRoute({
    method: 'GET',
    path: '/api/nodes/:type',
    permission: 'flows:read',
    params: StrictObject({ type: Type.String({ minLength: 1, maxLength: 200 }) }),
    tag: 'nodes',
    summary: 'One node type, with its help (Markdown)',
    response: { status: 200, description: 'Node type', schema: Type.Composite([NodeTypeSchema, Type.Object({ help: Type.String() })]) },
    async handler({ params, services }) {
      const definition = services.runtime.nodeTypes.find((d) => d.type === params.type);
      if (!definition) throw new ApiError('not-found', `No node type "${params.type}" is installed. GET /api/nodes lists them.`);
      return { body: { ...describeNodeType(definition), help: await helpOf(definition) } };
    },
  }),
];
