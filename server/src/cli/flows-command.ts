// `loopedge flows sign|verify|deploy`: GitOps for flows. A pipeline signs the flow
// file with its key and deploys it; the device verifies the signature against its
// trust store before anything stops (server/src/flow-versions/).
import { readFileSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { parseArgs } from 'node:util';
import type { FlowDocument } from '@loopedge/flows';
import { flowSetHash, loadFlowSigningKey, signFlowSet, verifyFlowSignatureWithPublicKey, type FlowSigningKey } from '@loopedge/security';
import { StartupError } from '../bootstrap/startup-error.js';
import type { CliIo } from './run-cli.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
type OptionValues = Record<string, string | boolean | undefined>;

const REQUEST_TIMEOUT_MS = 120_000;

export async function runFlowsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'sign':
      return sign(rest, io);
    case 'verify':
      return verify(rest, io);
    case 'deploy':
      try {
        return await deploy(rest, io);
      } catch (error) {
        if (error instanceof StartupError) throw error;
        // Network trouble is not a usage mistake: exit 1 with the reason, no stack.
        io.stderr(`loopedge: flows deploy failed: ${(error as Error).message}\n`);
        return 1;
      }
    default:
      throw usage(action === undefined ? 'flows needs an action.' : `Unknown flows action "${action}": sign, verify or deploy.`);
  }
}

async function sign(args: readonly string[], io: CliIo): Promise<number> {
  const { values, file } = parse(args, { key: { type: 'string', short: 'k' }, target: { type: 'string', short: 't' }, version: { type: 'string' }, prev: { type: 'string' }, out: { type: 'string', short: 'o' } }, 'sign');
  const flows = readFlows(file);
  const key = await readSigningKey(required(values.key, '--key'));
  const version = parseVersion(required(values.version, '--version'));
  const prev = values.prev === undefined || values.prev === 'null' ? null : String(values.prev).toLowerCase();
  if (prev !== null && !/^[0-9a-f]{64}$/.test(prev)) throw usage(`--prev must be the 64-hex-digit SHA-256 of the previous flows (GET /api/flows → signing.hash), got "${prev}".`);
  const target = required(values.target, '--target');
  const jws = await signFlowSet(flows, { target, version, prev }, key);
  const out = typeof values.out === 'string' ? values.out : `${file}.jws`;
  writeFileSync(out, `${jws}\n`);
  io.stdout(`Signed ${file} (${flows.length} items, sha256 ${flowSetHash(flows)}) as version ${version} for ${target} with key ${key.kid} → ${out}\n`);
  return 0;
}

async function verify(args: readonly string[], io: CliIo): Promise<number> {
  const { values, file } = parse(args, { signature: { type: 'string', short: 's' }, pub: { type: 'string' } }, 'verify');
  const flows = readFlows(file);
  const jws = readText(required(values.signature, '--signature'), 'signature').trim();
  const publicKeyPem = readText(required(values.pub, '--pub'), 'public key');
  const result = await verifyFlowSignatureWithPublicKey(flows, jws, publicKeyPem);
  if (!result.ok) {
    io.stderr(`loopedge: signature refused (${result.reason}): ${result.message}\n`);
    return 1;
  }
  io.stdout(`${JSON.stringify({ ok: true, hash: result.hash, header: result.header }, null, 2)}\n`);
  io.stderr(`Signature OK: ${file} is signed by ${result.header.kid} as version ${result.header.version} for ${result.header.target}. (Offline check: trust, target and version are checked by the device.)\n`);
  return 0;
}

interface FlowsState {
  rev?: unknown;
  signing?: { deviceId?: unknown; target?: unknown; version?: unknown; hash?: unknown; required?: unknown };
}

async function deploy(args: readonly string[], io: CliIo): Promise<number> {
  const { values, file } = parse(args, { url: { type: 'string', short: 'u' }, token: { type: 'string' }, key: { type: 'string', short: 'k' }, ca: { type: 'string' }, target: { type: 'string', short: 't' } }, 'deploy');
  const flows = readFlows(file);
  const key = await readSigningKey(required(values.key, '--key'));
  // The token may come from the environment so it stays out of the process list and shell history.
  const token = typeof values.token === 'string' && values.token !== '' ? values.token : io.env.LOOPEDGE_TOKEN;
  if (!token) throw usage('deploy needs an API token: --token TOKEN or LOOPEDGE_TOKEN.');
  const base = parseUrl(required(values.url, '--url'));
  const ca = typeof values.ca === 'string' ? readText(values.ca, 'CA certificate') : undefined;
  const client = { base, token, ...(ca ? { ca } : {}) };

  // 1. What runs now: its revision, version and hash (the signature chains to them).
  const current = await call<FlowsState>(client, 'GET', '/api/flows');
  if (current.status !== 200) return serverRefused(io, 'reading the current flows', current);
  const signing = current.body?.signing;
  if (!signing || typeof signing !== 'object') {
    io.stderr(`loopedge: the server at ${base.origin} does not report signing state in GET /api/flows (no "signing"): it does not support signed deploys. Update it, or deploy unsigned through the editor.\n`);
    return 1;
  }
  const currentVersion = typeof signing.version === 'number' ? signing.version : 0;
  const prev = typeof signing.hash === 'string' ? signing.hash : null;
  const target = typeof values.target === 'string' ? values.target : typeof signing.target === 'string' ? signing.target : String(signing.deviceId ?? '');
  if (target === '') throw usage('The server names no device id or target; give --target DEVICE_ID or group:NAME.');

  // 2. Sign the next version and deploy it in full.
  const version = currentVersion + 1;
  const signature = await signFlowSet(flows, { target, version, prev }, key);
  const deployed = await call<{ rev?: string; started?: number; stopped?: number; version?: number }>(client, 'POST', '/api/flows', { flows, rev: current.body?.rev, type: 'full', signature });
  if (deployed.status !== 200) return serverRefused(io, `deploying version ${version}`, deployed);
  io.stdout(`Deployed ${file} as version ${deployed.body?.version ?? version} to ${target} at ${base.origin} (rev ${deployed.body?.rev ?? '?'}, ${deployed.body?.started ?? 0} node(s) started, ${deployed.body?.stopped ?? 0} stopped), signed by ${key.kid}.\n`);
  return 0;
}

interface HttpClient {
  base: URL;
  token: string;
  ca?: string;
}

interface HttpResult<T> {
  status: number;
  body: T | undefined;
  text: string;
}

function call<T>(client: HttpClient, method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResult<T>> {
  const url = new URL(path, client.base);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${client.token}` };
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(payload));
  }
  const options: RequestOptions = { method, headers, timeout: REQUEST_TIMEOUT_MS, ...(client.ca ? { ca: client.ca } : {}) };
  return new Promise((resolvePromise, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: T | undefined;
        try {
          parsed = JSON.parse(text) as T;
        } catch {
          parsed = undefined;
        }
        resolvePromise({ status: res.statusCode ?? 0, body: parsed, text });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      const hint = /certificate|self.signed|CERT/i.test(`${error.code ?? ''} ${error.message}`) ? ' Give the device CA with --ca CA.pem (download it from /api/certificates/ca).' : '';
      reject(new Error(`Cannot reach ${url.origin}: ${error.message}.${hint}`));
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** The server's own words: `{ error: { code, message, details? } }`. */
function serverRefused(io: CliIo, doing: string, result: HttpResult<unknown>): number {
  const error = (result.body as { error?: { code?: unknown; message?: unknown; details?: { reason?: unknown } } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `HTTP ${result.status}`;
  const reason = typeof error?.details?.reason === 'string' ? `/${error.details.reason}` : '';
  const message = typeof error?.message === 'string' ? error.message : result.text.slice(0, 500) || 'no message';
  io.stderr(`loopedge: the server refused ${doing} (${code}${reason}): ${message}\n`);
  return 1;
}

function parse(args: readonly string[], options: OptionSpec, action: string): { values: OptionValues; file: string } {
  let result: { values: OptionValues; positionals: string[] };
  try {
    result = parseArgs({ args: [...args], options, allowPositionals: true, strict: true }) as typeof result;
  } catch (error) {
    throw usage(`${(error as Error).message}.`);
  }
  if (result.positionals.length !== 1) throw usage(`flows ${action} needs exactly one flow file (FLOWS.json), got ${result.positionals.length}.`);
  return { values: result.values, file: result.positionals[0] as string };
}

/** A Node-RED flow file: the array itself, or `{ flows: [...] }` as GET /api/flows returns it. */
function readFlows(path: string): FlowDocument {
  const text = readText(path, 'flow file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StartupError('flows-bad-json', `${path} is not JSON: ${(error as Error).message}.`);
  }
  const flows = Array.isArray(parsed) ? parsed : (parsed as { flows?: unknown } | null)?.flows;
  if (!Array.isArray(flows) || flows.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw new StartupError('flows-invalid', `${path} is not a flow file: expected an array of node objects (Node-RED flow JSON) or { "flows": [...] }.`);
  }
  return flows as FlowDocument;
}

async function readSigningKey(path: string): Promise<FlowSigningKey> {
  const pem = readText(path, 'signing key');
  try {
    return await loadFlowSigningKey(pem);
  } catch (error) {
    throw new StartupError('usage', `${path}: ${(error as Error).message}`);
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError('usage', `The ${what} ${path} cannot be read: ${(error as Error).message}.`);
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--url "${text}" is not a URL; give the device's admin address, e.g. https://edge-7:1880.`);
  }
  if (url.protocol !== 'https:') throw usage(`--url must be https:// (the token would travel in clear over ${url.protocol}).`);
  return url;
}

function parseVersion(text: string): number {
  const version = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(version) || version < 1) throw usage(`--version must be a whole number ≥ 1, got "${text}".`);
  return version;
}

function required(value: string | boolean | undefined, option: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw usage(`${option} is required.`);
  return value;
}

function usage(message: string): StartupError {
  return new StartupError('usage', `${message} Run "loopedge flows --help" for the options.`);
}
