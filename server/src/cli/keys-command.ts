// `loopedge keys generate`: an Ed25519 key pair for signing flow deploys from a
// pipeline. The private key never leaves the pipeline's secret store; the public
// key is what an admin registers in the device's trust store (purpose flows).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateFlowSigningKeyPair } from '@loopedge/security';
import { StartupError } from '../bootstrap/startup-error.js';
import type { CliIo } from './run-cli.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export async function runKeysCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'generate') throw usage(action === undefined ? 'keys needs an action.' : `Unknown keys action "${action}": only "generate" exists.`);
  let values: { out?: string; name?: string };
  try {
    ({ values } = parseArgs({ args: [...rest], allowPositionals: false, strict: true, options: { out: { type: 'string', short: 'o' }, name: { type: 'string', short: 'n' } } }));
  } catch (error) {
    throw usage(`${(error as Error).message}.`);
  }
  if (values.out === undefined || values.out.trim() === '') throw usage('keys generate needs --out DIR.');
  const name = values.name ?? 'flows-signing';
  if (!NAME.test(name)) throw usage(`--name "${name}" must be letters, digits, ".", "_" or "-" (a file name).`);

  const dir = resolve(values.out);
  const privatePath = join(dir, `${name}.key`);
  const publicPath = join(dir, `${name}.pub`);
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path)) throw usage(`${path} already exists; choose another --name or --out (keys are never overwritten).`);
  }
  const pair = await generateFlowSigningKeyPair();
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // 'wx': never overwrite a key someone may still need (or that a device trusts).
    writeFileSync(privatePath, pair.privateKeyPem, { flag: 'wx', mode: 0o600 });
    chmodSync(privatePath, 0o600);
    writeFileSync(publicPath, pair.publicKeyPem, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'EEXIST') throw usage(`${err.path ?? privatePath} already exists; choose another --name or --out (keys are never overwritten).`);
    throw new StartupError('usage', `Cannot write the key files in ${dir}: ${err.message}.`);
  }
  io.stdout(`${pair.kid}\n`);
  io.stderr(`Wrote ${privatePath} (private, mode 0600: keep it in your pipeline's secrets) and ${publicPath}.\n`
    + `Key id ${pair.kid}. An admin registers ${name}.pub for flow deploys on each device (Signing keys page or POST /api/signing-keys).\n`);
  return 0;
}

function usage(message: string): StartupError {
  return new StartupError('usage', `${message} Run "loopedge keys --help" for the options.`);
}
