/**
 * Child side of the update benchmark. `prepare`: a device folder (security
 * store, trusted release key, device update key) and a package of the given
 * size. `verify`: in a fresh process, so its peak RSS belongs to this step
 * alone, decrypt + verify + stage the package and report time and RSS growth.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSecurity } from '@loopedge/security';
import { loadOrCreateDeviceKey, packUpdate, UpdateService, type ReleaseRunner } from '@loopedge/server';
import { collectGarbage, replyToParent } from './child-process.js';

export interface PreparedUpdate {
  workDir: string;
  dataDir: string;
  packagePath: string;
  /** a 1 MiB package applied first, so start-up costs (JIT, heap sizing) are not counted as growth */
  warmUpPath: string;
  credentialKeyHex: string;
  packageBytes: number;
  packMs: number;
}

export interface UpdateVerifyMeasure {
  verifyStageMs: number;
  baselineRssMiB: number;
  /** maxRSS after the apply minus RSS before it */
  peakRssGrowthMiB: number;
}

const MIB = 1024 * 1024;

async function prepare(totalMiB: number): Promise<PreparedUpdate> {
  const workDir = mkdtempSync(join(tmpdir(), 'loopedge-bench-update-'));
  const dataDir = join(workDir, 'data');
  const credentialKey = randomBytes(32);
  const security = await openSecurity({ dataDir, credentialKey, bcryptCost: 10 });
  const releaseKey = generateKeyPairSync('ed25519');
  security.trustedKeys.add({ name: 'bench', purpose: 'release', owner: 'bench', publicKeyPem: releaseKey.publicKey.export({ format: 'pem', type: 'spki' }).toString() }, 'bench');
  security.close();
  const deviceKey = await loadOrCreateDeviceKey(dataDir);
  // Incompressible data in 5 MiB files, written piecewise (this process must not hold it either).
  const moduleDir = join(workDir, 'module');
  mkdirSync(moduleDir);
  for (let file = 0; file * 5 < totalMiB; file++) {
    const fd = openSync(join(moduleDir, `part-${file}.bin`), 'w');
    for (let i = 0; i < 5; i++) writeSync(fd, randomBytes(MIB));
    closeSync(fd);
  }
  const warmUpDir = join(workDir, 'warm-up');
  mkdirSync(warmUpDir);
  const fd = openSync(join(warmUpDir, 'part.bin'), 'w');
  writeSync(fd, randomBytes(MIB));
  closeSync(fd);
  const warmUpPath = join(workDir, 'warm-up.upd');
  await packUpdate({
    version: '1.9.0', target: { model: '*' }, entry: 'modules/runtime/start.mjs',
    modules: [{ name: 'runtime', version: '1.9.0', kind: 'runtime', dir: warmUpDir }],
    signingKey: releaseKey.privateKey, encryptTo: deviceKey.publicKey, output: warmUpPath,
  });
  const packagePath = join(workDir, 'bench.upd');
  const started = performance.now();
  const { bytes } = await packUpdate({
    version: '2.0.0', target: { model: '*' }, entry: 'modules/runtime/start.mjs',
    modules: [{ name: 'runtime', version: '2.0.0', kind: 'runtime', dir: moduleDir }],
    signingKey: releaseKey.privateKey, encryptTo: deviceKey.publicKey, output: packagePath,
  });
  return { workDir, dataDir, packagePath, warmUpPath, credentialKeyHex: credentialKey.toString('hex'), packageBytes: bytes, packMs: performance.now() - started };
}

async function verify(prepared: PreparedUpdate): Promise<UpdateVerifyMeasure> {
  const security = await openSecurity({ dataDir: prepared.dataDir, credentialKey: Buffer.from(prepared.credentialKeyHex, 'hex'), bcryptCost: 10 });
  // Only verify + stage is measured: the "release" counts as healthy without starting anything.
  const runner: ReleaseRunner = { start: async (release) => ({ running: { version: release.version, pid: undefined, stop: async () => {} }, health: { ok: true } }) };
  const service = new UpdateService({ dataDir: prepared.dataDir, audit: security.audit, trustedKeys: security.trustedKeys, device: { model: 'bench' }, runner, reserveBytes: 0 });
  await service.apply(prepared.warmUpPath, { actor: 'bench' });
  collectGarbage();
  const baseline = process.memoryUsage().rss;
  const started = performance.now();
  const result = await service.apply(prepared.packagePath, { actor: 'bench' });
  const verifyStageMs = performance.now() - started;
  const peak = process.resourceUsage().maxRSS * 1024;
  security.close();
  if (result.outcome !== 'applied') throw new Error(`the benchmark package was not applied: ${result.reason}`);
  return { verifyStageMs, baselineRssMiB: baseline / MIB, peakRssGrowthMiB: Math.max(0, peak - baseline) / MIB };
}

const [mode, argument] = process.argv.slice(2);
if (mode === 'prepare') await replyToParent(() => prepare(Number(argument)));
else if (mode === 'verify') await replyToParent(() => verify(JSON.parse(argument ?? '{}') as PreparedUpdate));
