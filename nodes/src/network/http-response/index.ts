import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type FlowMessage, type HttpEndpointReply, type HttpEndpointResponse } from '@loopedge/runtime';
import { headersHash, RESPONSE_MARK } from '../http-request/request-builder.js';

const HttpResponseConfig = Type.Object({
  name: NodeName,
  statusCode: NumberLike('', 'Status code; empty: msg.statusCode, else 200'),
  headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'Headers to set; they override msg.headers' }),
});

function isResponseHandle(value: unknown): value is HttpEndpointResponse {
  return typeof value === 'object' && value !== null && typeof (value as HttpEndpointResponse).reply === 'function';
}

/**
 * Headers to send: msg.headers, unless they are the ones an `http request`
 * node put there (Node-RED's marker: a flow relaying a response must not echo
 * the upstream server's headers), then the node's own.
 */
function headersFor(msg: FlowMessage, configured: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  const fromMsg = typeof msg.headers === 'object' && msg.headers !== null ? (msg.headers as Record<string, unknown>) : {};
  const relayed = typeof fromMsg[RESPONSE_MARK] === 'string' && fromMsg[RESPONSE_MARK] === headersHash(fromMsg);
  if (!relayed) {
    for (const [name, value] of Object.entries(fromMsg)) {
      if (name === RESPONSE_MARK || value === undefined || value === null) continue;
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
  }
  for (const [name, value] of Object.entries(configured)) headers[name.toLowerCase()] = value;
  return headers;
}

/** The body and its default Content-Type, as express's res.send / res.json choose them. */
function bodyOf(payload: unknown): { body: Buffer; type: string } {
  if (Buffer.isBuffer(payload)) return { body: payload, type: 'application/octet-stream' };
  if (payload === undefined || payload === null) return { body: Buffer.alloc(0), type: 'text/html; charset=utf-8' };
  if (typeof payload === 'object') return { body: Buffer.from(JSON.stringify(payload)), type: 'application/json; charset=utf-8' };
  return { body: Buffer.from(String(payload)), type: 'text/html; charset=utf-8' };
}

export const httpResponseNode = defineNode({
  type: 'http response',
  category: 'network',
  config: HttpResponseConfig,
  inputs: 1,
  outputs: 0,
  editor: { label: 'http response', icon: 'white-globe.svg', color: 'rgb(231, 231, 174)', align: 'right' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const fixedStatus = config.statusCode === '' ? undefined : Number(config.statusCode);
    if (fixedStatus !== undefined && !(Number.isInteger(fixedStatus) && fixedStatus >= 100 && fixedStatus <= 599)) {
      throw new Error(`http response ${node.id}: "statusCode" must be an HTTP status between 100 and 599, got "${config.statusCode}"`);
    }
    return {
      input(msg) {
        if (!isResponseHandle(msg.res)) {
          node.warn(`http response ${node.id}: the message has no msg.res (it did not start at an http in node, or msg.res was removed); nothing was answered`);
          return;
        }
        const fromMsg = Number.parseInt(String(msg.statusCode ?? ''), 10);
        const statusCode = fixedStatus ?? (fromMsg >= 100 && fromMsg <= 599 ? fromMsg : 200);
        const headers = headersFor(msg, config.headers);
        const { body, type } = bodyOf(msg.payload);
        if (!('content-type' in headers)) headers['content-type'] = type;
        const reply: HttpEndpointReply = { statusCode, headers, body };
        if (typeof msg.cookies === 'object' && msg.cookies !== null) reply.cookies = msg.cookies as NonNullable<HttpEndpointReply['cookies']>;
        if (!msg.res.reply(reply)) node.warn(`http response ${node.id}: the request was already answered or had timed out (settings.json "httpNodeTimeoutMs"); this reply was dropped`);
      },
    };
  },
});
