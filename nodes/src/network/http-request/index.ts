import http from 'node:http';
import https from 'node:https';
import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside, type FlowMessage, type NodeApi } from '@loopedge/runtime';
import { authorizationFor, buildRequest, headersHash, RESPONSE_MARK, type BuiltRequest, type HeaderRow } from './request-builder.js';
import { HttpStoreForward } from './http-store-forward.js';
import type { TlsConfigService } from '../tls-config/index.js';
import { RequestTimeoutError, sendRequest, type IncomingResult } from './http-transport.js';

const HttpRequestConfig = Type.Object({
  name: NodeName,
  method: Type.String({ default: 'GET', description: 'GET, POST, PUT, DELETE, PATCH, HEAD, or "use" for msg.method' }),
  ret: Type.Union([Type.Literal('txt'), Type.Literal('bin'), Type.Literal('obj')], { default: 'txt', description: 'Return a UTF-8 string, a Buffer, or parsed JSON' }),
  paytoqs: Type.Union([Type.Boolean(), Type.String()], { default: 'ignore', description: 'For GET: "query" appends msg.payload as query parameters, "body" sends it as the body, "ignore" drops it' }),
  url: Type.String({ default: '', description: 'URL; may use mustache, e.g. http://host/{{{topic}}}. Empty: msg.url' }),
  tls: Type.String({ default: '', description: 'tls-config node: CA, client certificate, pinning for https (empty: the system CAs)' }),
  persist: Type.Boolean({ default: false, description: 'Keep the connection open between requests (keep-alive)' }),
  proxy: Type.String({ default: '', description: 'http proxy config node (not supported yet)' }),
  authType: Type.String({ default: '', description: '"" (none), "basic" or "bearer" (the token is the password credential)' }),
  useAuth: Type.Optional(Type.Boolean({ description: 'Node-RED 0.x: basic auth when authType is missing' })),
  senderr: Type.Boolean({ default: false, description: 'Send non-2xx responses and failures only to catch nodes' }),
  headers: Type.Array(Type.Object({
    keyType: Type.Optional(Type.String()), keyValue: Type.Optional(Type.String()),
    valueType: Type.Optional(Type.String()), valueValue: Type.Optional(Type.String()),
  }), { default: [], description: 'Headers to set: keyType is the name or "other" (keyValue); valueType the value, "other" (valueValue) or "msg" (property valueValue)' }),
  timeout: NumberLike('', 'Milliseconds before the request fails ("": settings.httpRequestTimeout, else 120000)'),
  storeForward: Type.Boolean({ default: false, description: 'Cloud output: keep requests in a durable queue while the endpoint is unreachable (or answers 5xx, 408, 429) and send them in order when it returns' }),
  sfMaxMessages: NumberLike(10000, 'Store-and-forward: most requests kept'),
  sfMaxAge: NumberLike(86400, 'Store-and-forward: seconds a request may wait before it is dropped (0 = no limit)'),
  sfOverflow: Type.Union([Type.Literal('drop-oldest'), Type.Literal('drop-newest')], { default: 'drop-oldest', description: 'Store-and-forward: when full, drop the oldest queued request or refuse the new one' }),
});

const HttpRequestCredentials = Type.Object({
  user: Type.Optional(Type.String()),
  password: Type.Optional(Type.String()),
});

const MAX_REDIRECTS = 21;

/** Node-RED's msg.requestTimeout, else the node's timeout, else the runtime setting. */
function timeoutFor(node: NodeApi, configured: number, msg: FlowMessage): number {
  const fromMsg = msg.requestTimeout;
  if (fromMsg === undefined) return configured;
  const n = Number(fromMsg);
  if (!Number.isFinite(n)) node.warn(`http request ${node.id}: msg.requestTimeout is not a number; using ${configured} ms`);
  else if (n < 1) node.warn(`http request ${node.id}: msg.requestTimeout must be a positive number; using ${configured} ms`);
  else return n;
  return configured;
}

function payloadOf(node: NodeApi, ret: 'txt' | 'bin' | 'obj', body: Buffer): unknown {
  if (ret === 'bin') return body;
  const text = body.toString('utf8');
  if (ret === 'obj') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      node.warn(`http request ${node.id}: JSON parse error: the response is not JSON; msg.payload is the text`);
    }
  }
  return text;
}

function applyResponse(node: NodeApi, ret: 'txt' | 'bin' | 'obj', msg: FlowMessage, result: IncomingResult): void {
  const headers: Record<string, unknown> = { ...result.headers };
  headers[RESPONSE_MARK] = headersHash(headers);
  msg.statusCode = result.statusCode;
  msg.headers = headers;
  msg.responseUrl = result.responseUrl;
  msg.redirectList = result.redirectList;
  msg.payload = payloadOf(node, ret, result.body);
}

export const httpRequestNode = defineNode({
  type: 'http request',
  category: 'network',
  config: HttpRequestConfig,
  credentials: HttpRequestCredentials,
  inputs: 1,
  outputs: 1,
  editor: { label: 'http request', icon: 'white-globe.svg', color: 'rgb(231, 231, 174)', widgets: { headers: 'http-headers' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const settingTimeout = Number(node.settings.httpRequestTimeout);
    const fallback = Number.isFinite(settingTimeout) && settingTimeout > 0 ? settingTimeout : 120000;
    const timeoutMs = config.timeout === '' ? fallback : Number(config.timeout);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new Error(`http request ${node.id}: "timeout" must be a positive number of milliseconds, got "${config.timeout}"`);
    let tls: TlsConfigService | undefined;
    if (config.tls) {
      tls = node.getConfigNode<TlsConfigService>(config.tls);
      if (!tls) throw new Error(`http request ${node.id}: tls-config node "${config.tls}" is missing or did not start; add it or clear "tls"`);
    }
    if (config.proxy) node.warn(`http request ${node.id}: proxy config nodes are not supported yet; requests go direct`);
    const authType = config.authType || (config.useAuth ? 'basic' : '');
    if (authType === 'digest') throw new Error(`http request ${node.id}: digest authentication is not supported; use basic or bearer`);

    // Node 20's global agent keeps sockets alive: give non-persistent nodes their own that does not.
    const agents = { http: new http.Agent({ keepAlive: config.persist }), https: new https.Agent({ keepAlive: config.persist, ...(tls ?? {}) }) };
    const stopping = new AbortController();
    const forward = config.storeForward ? startStoreForward(node, config, { agents, timeoutMs, authorization: authorizationFor(authType, node.credentials.user, node.credentials.password) }) : undefined;

    return {
      async input(msg, send) {
        let request: BuiltRequest;
        try {
          // Queued requests are stored without the node's credentials; they are added when sent.
          const credentials = forward ? {} : { user: node.credentials.user, password: node.credentials.password };
          request = buildRequest({ ...config, authType, headers: config.headers as HeaderRow[], ...credentials }, msg);
        } catch (err) {
          throw new Error(`http request ${node.id}: ${err instanceof Error ? err.message : String(err)}`);
        }
        for (const warning of request.warnings) node.warn(`http request ${node.id}: ${warning}`);
        if (forward) {
          // Done once durably queued; the response comes out when the endpoint answers.
          forward.accept(request, msg);
          return;
        }
        const target = request.url.toString();
        node.status({ fill: 'blue', shape: 'dot', text: 'requesting' });
        let result: IncomingResult;
        try {
          result = await sendRequest({ ...request, timeoutMs: timeoutFor(node, timeoutMs, msg), maxRedirects: MAX_REDIRECTS, agents, signal: stopping.signal });
        } catch (err) {
          const timedOut = err instanceof RequestTimeoutError;
          const code = timedOut ? 'ETIMEDOUT' : ((err as NodeJS.ErrnoException).code ?? 'ERROR');
          const text = `http request ${node.id}: ${request.method} ${target} failed: ${err instanceof Error ? err.message : String(err)}`;
          node.status({ fill: 'red', shape: 'ring', text: timedOut ? 'no response' : code });
          if (config.senderr) throw new Error(text);
          // Node-RED's behaviour: the error goes to catch nodes and the message is sent on too.
          node.error(text, msg);
          msg.payload = `${err instanceof Error ? err.toString() : String(err)} : ${target}`;
          msg.statusCode = code;
          send(msg);
          return;
        }
        node.status({});
        if (config.senderr && (result.statusCode < 200 || result.statusCode > 299)) {
          throw new Error(`http request ${node.id}: ${request.method} ${target} answered ${result.statusCode} ${http.STATUS_CODES[result.statusCode] ?? ''}`.trimEnd());
        }
        applyResponse(node, config.ret, msg, result);
        send(msg);
      },
      close() {
        forward?.close();
        stopping.abort();
        agents.http.destroy();
        agents.https.destroy();
      },
    };
  },
});

interface ForwardSetup {
  agents: { http: http.Agent; https: https.Agent };
  timeoutMs: number;
  authorization: string | undefined;
}

function startStoreForward(node: NodeApi, config: { ret: 'txt' | 'bin' | 'obj'; sfMaxMessages: string | number; sfMaxAge: string | number; sfOverflow: 'drop-oldest' | 'drop-newest' }, setup: ForwardSetup): HttpStoreForward {
  const where = `http request ${node.id}`;
  const dataDir = node.settings.dataDir;
  if (typeof dataDir !== 'string' || !dataDir) throw new Error(`${where}: store-and-forward needs the runtime setting "dataDir" (the server's data folder) to keep its queue; turn storeForward off or start the runtime with a data folder`);
  const maxMessages = Number(config.sfMaxMessages);
  if (!Number.isInteger(maxMessages) || maxMessages < 1) throw new Error(`${where}: sfMaxMessages must be a whole number >= 1, not "${config.sfMaxMessages}"`);
  const maxAgeSeconds = Number(config.sfMaxAge);
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds < 0) throw new Error(`${where}: sfMaxAge must be a number of seconds >= 0, not "${config.sfMaxAge}"`);
  const retrySetting = Number(node.settings.httpRequestRetryMaxMs);
  return new HttpStoreForward(node, dataDir, { maxMessages, maxAgeSeconds, overflow: config.sfOverflow }, {
    retryMaxMs: Number.isFinite(retrySetting) && retrySetting > 0 ? retrySetting : 30_000,
    send: (request, signal) => sendRequest({ ...request, headers: { ...request.headers, ...(setup.authorization ? { authorization: setup.authorization } : {}) }, timeoutMs: setup.timeoutMs, maxRedirects: MAX_REDIRECTS, agents: setup.agents, signal }),
    delivered(msg, result) {
      applyResponse(node, config.ret, msg, result);
      node.send(msg);
    },
  });
}
