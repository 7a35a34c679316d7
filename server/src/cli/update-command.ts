// `loopedge update pack|inspect|apply|key|trust`: the same UpdateService the
// admin API uses, driven from a terminal. Refusals exit 1 with the reason.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openSecurity, TrustedKeyError, type Security } from '@loopedge/security';
import { ensureDataDir, resolveDataDir } from '../bootstrap/data-dir.js';
import { StartupError } from '../bootstrap/startup-error.js';
import { loadOrCreateDeviceKey } from '../updates/device-key.js';
import { packUpdate, type ModuleKind, type PackModule } from '../updates/pack.js';
import { processReleaseRunner } from '../updates/release-runner.js';
import { UpdateError } from '../updates/update-error.js';
import { UpdateService } from '../updates/update-service.js';
import { readDeviceIdentity } from '../updates/device-identity.js';
import type { CliIo } from './run-cli.js';

const KINDS: readonly ModuleKind[] = ['runtime', 'nodes', 'flows', 'config'];

export async function runUpdateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case 'pack':
      return pack(rest, io);
    case 'inspect':
    case 'apply':
      return inspectOrApply(action, rest, io);
    case 'key':
      return printDeviceKey(rest, io);
    case 'trust':
      return trust(rest, io);
    default:
      throw usage(action === undefined ? 'update needs an action.' : `Unknown update action "${action}".`);
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
type OptionValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

function parse(args: readonly string[], options: OptionSpec, positionals = 0): { values: OptionValues; positionals: string[] } {
  try {
    const result = parseArgs({ args: [...args], options, allowPositionals: positionals > 0, strict: true }) as { values: OptionValues; positionals: string[] };
    if (result.positionals.length > positionals) throw new Error(`unexpected argument "${result.positionals[positionals] ?? ''}"`);
    return result;
  } catch (error) {
    throw usage(`${(error as Error).message}.`);
  }
}

async function pack(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    module: { type: 'string', multiple: true, short: 'm' },
    version: { type: 'string' },
    target: { type: 'string' },
    'min-from': { type: 'string' },
    rollback: { type: 'boolean' },
    notes: { type: 'string' },
    entry: { type: 'string' },
    sign: { type: 'string' },
    'encrypt-to': { type: 'string' },
    output: { type: 'string', short: 'o' },
  });
  const version = required(values.version as string | undefined, '--version');
  const [model, group] = required(values.target as string | undefined, '--target').split('/');
  const modules: PackModule[] = ((values.module as string[] | undefined) ?? []).map((text) => {
    // KIND:NAME=DIR, e.g. runtime:loopedge=./build
    const match = /^([a-z]+):([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(text);
    if (!match || !KINDS.includes(match[1] as ModuleKind)) throw usage(`--module "${text}" must read KIND:NAME=DIR with KIND one of ${KINDS.join(', ')}.`);
    return { kind: match[1] as ModuleKind, name: match[2] as string, version, dir: resolve(match[3] as string) };
  });
  if (modules.length === 0) throw usage('pack needs at least one --module KIND:NAME=DIR.');
  const signingKey = readKey(required(values.sign as string | undefined, '--sign'), 'private');
  const encryptTo = readKey(required(values['encrypt-to'] as string | undefined, '--encrypt-to'), 'public');
  const notes = values.notes as string | undefined;
  const output = required(values.output as string | undefined, '--output');
  const { manifest, bytes } = await packUpdate({
    version,
    target: { model: model as string, ...(group ? { group } : {}) },
    ...(values['min-from'] ? { minFromVersion: values['min-from'] as string } : {}),
    ...(values.rollback ? { rollback: true } : {}),
    releaseNotes: notes && existsSync(notes) ? readFileSync(notes, 'utf8') : (notes ?? ''),
    ...(values.entry ? { entry: values.entry as string } : {}),
    modules,
    signingKey,
    encryptTo,
    output,
  });
  io.stdout(`Packed ${manifest.version} for ${manifest.target.model}${manifest.target.group ? `/${manifest.target.group}` : ''}: ${manifest.modules.length} module(s), ${bytes} bytes → ${output}\n`);
  return 0;
}

async function inspectOrApply(action: 'inspect' | 'apply', args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { data: { type: 'string', short: 'd' }, 'health-timeout': { type: 'string' } }, 1);
  const path = positionals[0];
  if (!path) throw usage(`update ${action} needs the package file.`);
  const dataDir = resolveDataDir(values.data as string | undefined, io.env);
  ensureDataDir(dataDir);
  const security = await openSecurity({ dataDir });
  const timeoutSeconds = Number(values['health-timeout'] ?? 60);
  const service = new UpdateService({
    dataDir,
    audit: security.audit,
    trustedKeys: security.trustedKeys,
    device: deviceOf(dataDir),
    runner: processReleaseRunner({ dataDir }),
    stopAfterHealthCheck: true,
    healthDeadlineMs: Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds * 1000 : 60_000,
  });
  const caller = { actor: 'command line' };
  try {
    if (action === 'inspect') {
      const report = await service.inspect(resolve(path), caller);
      const m = report.manifest;
      io.stdout(`Package ${path}: verified, nothing changed.\n  version ${m.version}${m.rollback ? ' (signed rollback)' : ''} for ${m.target.model}${m.target.group ? `/${m.target.group}` : ''}${m.minFromVersion ? `, upgrades from ${m.minFromVersion}` : ''}\n  signed by "${report.signer.name}" (${report.signer.owner}, ${report.signer.id})\n`);
      for (const module of m.modules) io.stdout(`  ${module.kind} ${module.name} ${module.version}  ${module.size} bytes  sha256 ${module.sha256}\n`);
      if (m.releaseNotes) io.stdout(`Release notes:\n${m.releaseNotes}\n`);
      return 0;
    }
    await service.recover();
    const result = await service.apply(resolve(path), { ...caller, onProgress: (p) => (p.phase !== 'staging' ? io.stderr(`update: ${p.phase}${p.message ? `: ${p.message}` : ''}\n`) : undefined) });
    if (result.outcome === 'rolled-back') {
      io.stderr(`loopedge: ${result.reason}\n`);
      return 1;
    }
    io.stdout(`Release ${result.to} is current (it passed its health check; ${result.from ?? 'no release'} is kept as previous). Restart the loopedge service to run it.\n`);
    return 0;
  } catch (error) {
    if (error instanceof UpdateError) {
      io.stderr(`loopedge: update refused (${error.code}): ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await service.stop();
    security.close();
  }
}

async function printDeviceKey(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { data: { type: 'string', short: 'd' } });
  const dataDir = resolveDataDir(values.data as string | undefined, io.env);
  ensureDataDir(dataDir);
  const key = await loadOrCreateDeviceKey(dataDir);
  io.stdout(key.publicKeyPem);
  io.stderr(`Device update key ${key.keyId}: give this public key to "loopedge update pack --encrypt-to".\n`);
  return 0;
}

async function trust(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, {
    data: { type: 'string', short: 'd' }, key: { type: 'string' }, name: { type: 'string' }, owner: { type: 'string' }, expires: { type: 'string' }, reason: { type: 'string' },
  }, 1);
  const dataDir = resolveDataDir(values.data as string | undefined, io.env);
  ensureDataDir(dataDir);
  const security: Security = await openSecurity({ dataDir });
  try {
    if (sub === 'add') {
      const info = security.trustedKeys.add({
        name: required(values.name as string | undefined, '--name'),
        owner: required(values.owner as string | undefined, '--owner'),
        purpose: 'release',
        publicKeyPem: readFileSync(required(values.key as string | undefined, '--key'), 'utf8'),
        ...(values.expires ? { expiresAt: values.expires as string } : {}),
      }, 'command line');
      io.stdout(`Trusted release key "${info.name}" (${info.id}).\n`);
    } else if (sub === 'list') {
      for (const key of security.trustedKeys.list()) {
        io.stdout(`${key.id}  ${key.purpose}  "${key.name}"  ${key.owner}${key.expiresAt ? `  expires ${key.expiresAt}` : ''}${key.revokedAt ? `  REVOKED ${key.revokedAt}` : ''}\n`);
      }
    } else if (sub === 'revoke') {
      const id = positionals[0];
      if (!id) throw usage('trust revoke needs the key id.');
      security.trustedKeys.revoke(id, (values.reason as string | undefined) ?? 'revoked from the command line', 'command line');
      io.stdout(`Revoked ${id}: packages signed with it are refused from now on.\n`);
    } else {
      throw usage(`Unknown trust action "${sub ?? ''}": add, list or revoke.`);
    }
    return 0;
  } catch (error) {
    if (error instanceof TrustedKeyError) throw new StartupError('usage', error.message);
    throw error;
  } finally {
    security.close();
  }
}

function deviceOf(dataDir: string) {
  try {
    return readDeviceIdentity(dataDir);
  } catch (error) {
    throw new StartupError('usage', (error as Error).message);
  }
}

function readKey(path: string, kind: 'private' | 'public') {
  try {
    const pem = readFileSync(path, 'utf8');
    return kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw new StartupError('usage', `The ${kind} key ${path} cannot be read: ${(error as Error).message}.`);
  }
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw usage(`${option} is required.`);
  return value;
}

function usage(message: string): StartupError {
  return new StartupError('usage', `${message} Run "loopedge update --help" for the options.`);
}
