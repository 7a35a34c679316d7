import { createHash } from 'node:crypto';
import mustache from 'mustache';
import type { FlowMessage } from '@loopedge/runtime';
import { getProperty } from '@loopedge/runtime';

/**
 * Turns a message plus the node's configuration into an HTTP request, with
 * Node-RED's rules: URL (mustache template or msg.url), method, headers
 * (msg.headers, then the node's list, then auth), query string or body.
 */

export interface HeaderRow {
  keyType?: string;
  keyValue?: string;
  valueType?: string;
  valueValue?: string;
}

export interface BuildConfig {
  method: string;
  url: string;
  paytoqs: boolean | string;
  headers: HeaderRow[];
  authType: string;
  user?: string;
  password?: string;
}

export interface BuiltRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  warnings: string[];
}

/** Marks response headers so a later http request node does not send them back (Node-RED's x-node-red-request-node). */
export const RESPONSE_MARK = 'x-node-red-request-node';

export function headersHash(headers: Record<string, unknown>): string {
  const copy = { ...headers };
  delete copy[RESPONSE_MARK];
  return createHash('sha1').update(JSON.stringify(copy)).digest('hex').slice(0, 8);
}

function resolveUrl(config: BuildConfig, msg: FlowMessage, warnings: string[]): string {
  const msgUrl = typeof msg.url === 'string' ? msg.url : undefined;
  if (config.url && msgUrl !== undefined && msgUrl !== config.url) warnings.push('msg.url property will not override the url set in the node');
  let url = config.url ? (config.url.includes('{{') ? mustache.render(config.url, msg) : config.url) : msgUrl;
  if (!url) throw new Error('no url: set the node\'s "url" property or msg.url');
  if (!/^https?:\/\//i.test(url)) url = `http://${url.replace(/^\/\//, '')}`;
  try {
    return new URL(url).toString();
  } catch {
    throw new Error(`invalid url "${url}"`);
  }
}

function resolveMethod(config: BuildConfig, msg: FlowMessage, warnings: string[]): string {
  const msgMethod = typeof msg.method === 'string' ? msg.method : undefined;
  if (config.method === 'use') return (msgMethod ?? 'GET').toUpperCase();
  if (msgMethod !== undefined && msgMethod.toUpperCase() !== (config.method || 'GET').toUpperCase()) warnings.push('msg.method property will not override the method set in the node');
  return (config.method || 'GET').toUpperCase();
}

function collectHeaders(config: BuildConfig, msg: FlowMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  const fromMsg = msg.headers;
  if (fromMsg && typeof fromMsg === 'object') {
    const h = fromMsg as Record<string, unknown>;
    // Headers that came back from an earlier request are not sent again.
    const echoed = typeof h[RESPONSE_MARK] === 'string' && h[RESPONSE_MARK] === headersHash(h);
    if (!echoed) {
      for (const [key, value] of Object.entries(h)) {
        if (key === RESPONSE_MARK || value === undefined || value === null) continue;
        headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
    }
  }
  for (const row of config.headers) {
    const name = row.keyType === 'other' ? row.keyValue : row.keyType;
    if (!name) continue;
    let value: unknown = row.valueType === 'other' ? row.valueValue : row.valueType === 'msg' ? getProperty(msg, row.valueValue ?? '') : row.valueType;
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') value = JSON.stringify(value);
    headers[name.toLowerCase()] = String(value);
  }
  const authorization = authorizationFor(config.authType, config.user, config.password);
  if (authorization) headers.authorization = authorization;
  return headers;
}

/** The Authorization header for the node's credentials (basic or bearer), if any. */
export function authorizationFor(authType: string, user: string | undefined, password: string | undefined): string | undefined {
  if (authType === 'basic' && (user || password)) return `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`;
  if (authType === 'bearer' && password) return `Bearer ${password}`;
  return undefined;
}

function appendQuery(url: URL, payload: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(payload)) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  }
}

function encodeBody(payload: unknown, headers: Record<string, string>): Buffer {
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload);
  if (typeof payload === 'number' || typeof payload === 'boolean') return Buffer.from(String(payload));
  if (headers['content-type'] === 'application/x-www-form-urlencoded' && typeof payload === 'object' && payload !== null) {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(payload)) for (const v of Array.isArray(value) ? value : [value]) form.append(key, String(v));
    return Buffer.from(form.toString());
  }
  headers['content-type'] ??= 'application/json';
  return Buffer.from(JSON.stringify(payload));
}

export function buildRequest(config: BuildConfig, msg: FlowMessage): BuiltRequest {
  const warnings: string[] = [];
  const url = new URL(resolveUrl(config, msg, warnings));
  const method = resolveMethod(config, msg, warnings);
  const headers = collectHeaders(config, msg);
  const paytoqs = config.paytoqs === true ? 'query' : config.paytoqs || 'ignore';
  let body: Buffer | undefined;
  if (method === 'GET' && paytoqs === 'query' && msg.payload && typeof msg.payload === 'object' && !Buffer.isBuffer(msg.payload)) {
    appendQuery(url, msg.payload as Record<string, unknown>);
  } else if (msg.payload !== undefined && method !== 'HEAD' && (method !== 'GET' || paytoqs === 'body')) {
    body = encodeBody(msg.payload, headers);
  }
  return { url, method, headers, ...(body ? { body } : {}), warnings };
}
