import type { TSchema } from '@sinclair/typebox';
import { API_ERRORS } from './errors.js';
import { ErrorBodySchema } from './schema-tools.js';
import type { AnyRoute } from './route-types.js';

type JsonObject = Record<string, unknown>;

function plain(schema: TSchema): JsonObject {
  return JSON.parse(JSON.stringify(schema)) as JsonObject;
}

/** `/api/users/:id` → `/api/users/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(route: AnyRoute): JsonObject[] {
  const list: JsonObject[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    const properties = (schema as { properties?: Record<string, TSchema> } | undefined)?.properties ?? {};
    const required = new Set((schema as { required?: string[] } | undefined)?.required ?? []);
    for (const [name, property] of Object.entries(properties)) {
      list.push({ name, in: where, required: where === 'path' || required.has(name), schema: plain(property) });
    }
  }
  return list;
}

/**
 * The OpenAPI 3.1 document, generated from the route table: whatever the
 * server checks (permission, body schema, size limit) is what the document
 * says. `x-permission` names the permission a route needs.
 */
export function buildOpenApiDocument(routes: readonly AnyRoute[], version: string): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const operation: JsonObject = {
      operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      tags: [route.tag],
      'x-permission': route.permission,
      ...(route.stepUp !== undefined ? { 'x-loopedge-step-up': route.stepUp === true ? true : 'depends on the request body' } : {}),
      security: route.permission === 'public' ? [] : route.sessionOnly ? [{ sessionCookie: [] }] : [{ sessionCookie: [] }, { apiToken: [] }],
    };
    const params = parameters(route);
    if (params.length > 0) operation.parameters = params;
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: plain(route.body) } }, 'x-max-bytes': route.bodyLimit ?? 64 * 1024 };
    }
    const { response } = route;
    const success: JsonObject = { description: response.description };
    if (response.schema || response.contentType) {
      success.content = { [response.contentType ?? 'application/json']: response.schema ? { schema: plain(response.schema) } : {} };
    }
    const responses: JsonObject = { [String(response.status)]: success };
    const error = { $ref: '#/components/responses/Error' };
    responses['400'] = error;
    if (route.permission !== 'public') Object.assign(responses, { 401: error, 403: error });
    if (route.body) Object.assign(responses, { 413: error, 415: error });
    operation.responses = responses;
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'LoopEdge admin API',
      version,
      description: `Errors are \`{ "error": { "code", "message", "problems"? } }\`; codes: ${Object.keys(API_ERRORS).join(', ')} and the security package's codes.`,
    },
    paths,
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Host-loopedge-access', description: 'Set by POST /api/auth/login. Writes also need the X-CSRF-Token header.' },
        apiToken: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/tokens.' },
      },
      responses: { Error: { description: 'The request failed', content: { 'application/json': { schema: plain(ErrorBodySchema) } } } },
    },
  };
}
