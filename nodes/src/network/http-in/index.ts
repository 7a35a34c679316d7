import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside, type HttpEndpointMethod } from '@loopedge/runtime';

const METHODS: readonly HttpEndpointMethod[] = ['get', 'post', 'put', 'delete', 'patch'];

const HttpInConfig = Type.Object({
  name: NodeName,
  url: Type.String({ default: '', description: 'Path below settings.httpNodeRoot (default /endpoints), express syntax: /sensor/:id' }),
  method: Type.Union(METHODS.map((m) => Type.Literal(m)), { default: 'get', description: 'HTTP method to answer' }),
  upload: Type.Boolean({ default: false, description: 'Accept file uploads: multipart/form-data fields in msg.payload and msg.req.body, files in msg.req.files' }),
  swaggerDoc: Type.String({ default: '', description: 'Node-RED: swagger-doc node id (ignored)' }),
});

/**
 * An endpoint served by the server's HTTPS listener. Each request becomes a
 * message with `req` (method, params, query, headers, cookies, body), `res`
 * (the handle the `http response` node answers on) and `payload` (the query for
 * GET, else the parsed body), as in Node-RED; with `upload`, multipart form
 * fields are the body and the files are `req.files`.
 */
export const httpInNode = defineNode({
  type: 'http in',
  category: 'network',
  config: HttpInConfig,
  inputs: 0,
  outputs: 1,
  editor: { label: 'http in', icon: 'white-globe.svg', color: 'rgb(231, 231, 174)' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const endpoints = node.host.httpEndpoints;
    if (!endpoints) throw new Error(`http in ${node.id}: this runtime serves no HTTP endpoints; start LoopEdge with its admin server (--port) to use http in nodes`);
    if (!config.url.trim()) throw new Error(`http in ${node.id}: "url" is empty; set the path to serve, e.g. /sensor/:id`);
    const unregister = endpoints.register({
      method: config.method,
      path: config.url,
      nodeId: node.id,
      upload: config.upload,
      handler(req, res) {
        node.send({ _msgid: node.newMessageId(), req, res, payload: config.method === 'get' ? req.query : req.body });
      },
    });
    return {
      close() {
        unregister();
      },
    };
  },
});
