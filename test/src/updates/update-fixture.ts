// A simulated device for update tests: a temporary data folder with the real
// security store (trust store, audit log), the device's update key, a trusted
// release key, and releases that are small folders whose start script the
// real process runner starts and health-checks.
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSecurity, type Security } from '@loopedge/security';
import {
  fileSetOfDirectory, loadOrCreateDeviceKey, measureModule, packUpdate, processReleaseRunner, UpdateService,
  type DeviceUpdateKey, type PackModule, type PackOptions,
} from '@loopedge/server';

export type ReleaseBehaviour = 'healthy' | 'exits' | 'api-fails' | 'flows-fail';

export const DEVICE = { model: 'le-gw-200', groups: ['line-1'] };

/** The entry script of a simulated release: an HTTP API with /api/health, announced on stdout. */
export function startScript(behaviour: ReleaseBehaviour): string {
  if (behaviour === 'exits') return `console.error('boom: cannot open the flow file'); process.exit(3);\n`;
  return `import { createServer } from 'node:http';
const server = createServer((req, res) => { res.statusCode = req.url === '/api/health' ? ${behaviour === 'api-fails' ? 503 : 200} : 404; res.end('{}'); });
server.listen(0, '127.0.0.1', () => {
  const ready = { loopedge: 'ready', url: 'http://127.0.0.1:' + server.address().port, flowsStarted: ${behaviour !== 'flows-fail'}${behaviour === 'flows-fail' ? ", reason: 'node n1 (inject) failed'" : ''} };
  console.log(JSON.stringify(ready));
});
process.on('SIGTERM', () => { server.close(); process.exit(0); });
`;
}

/** Writes a release's runtime module folder: start script, a version file and `extraBytes` of data. */
export function writeRuntimeModule(dir: string, version: string, behaviour: ReleaseBehaviour, extraBytes = 0): string {
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'start.mjs'), startScript(behaviour));
  writeFileSync(join(dir, 'lib', 'version.json'), JSON.stringify({ version }));
  if (extraBytes > 0) writeFileSync(join(dir, 'lib', 'payload.bin'), randomBytes(extraBytes));
  return dir;
}

export interface TestDevice {
  dataDir: string;
  workDir: string;
  security: Security;
  credentialKey: Buffer;
  deviceKey: DeviceUpdateKey;
  releaseKey: { privateKey: KeyObject; publicKey: KeyObject };
  service: UpdateService;
  /** Packs a release with one runtime module (and optional extra modules) for this device. */
  pack(version: string, options?: Partial<PackOptions> & { behaviour?: ReleaseBehaviour; extraBytes?: number }): Promise<string>;
  newService(): UpdateService;
  close(): Promise<void>;
}

export async function openTestDevice(): Promise<TestDevice> {
  const workDir = mkdtempSync(join(tmpdir(), 'loopedge-update-'));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir, { mode: 0o700 });
  const credentialKey = randomBytes(32);
  const security = await openSecurity({ dataDir, credentialKey, bcryptCost: 10 });
  const releaseKey = generateKeyPairSync('ed25519');
  security.trustedKeys.add({ name: 'LoopEdge releases', purpose: 'release', owner: 'release team', publicKeyPem: releaseKey.publicKey.export({ format: 'pem', type: 'spki' }).toString() }, 'test');
  const deviceKey = await loadOrCreateDeviceKey(dataDir);
  let counter = 0;
  const newService = (): UpdateService =>
    new UpdateService({
      dataDir,
      audit: security.audit,
      trustedKeys: security.trustedKeys,
      device: DEVICE,
      runner: processReleaseRunner({ dataDir, stopGraceMs: 2000 }),
      healthDeadlineMs: 10_000,
      reserveBytes: 0,
    });
  const service = newService();
  return {
    dataDir,
    workDir,
    security,
    credentialKey,
    deviceKey,
    releaseKey,
    service,
    newService,
    async pack(version, options = {}) {
      const moduleDir = writeRuntimeModule(join(workDir, `src-${version}-${counter}`, 'runtime'), version, options.behaviour ?? 'healthy', options.extraBytes ?? 0);
      const output = join(workDir, `release-${version}-${counter++}.upd`);
      const modules: PackModule[] = options.modules ?? [{ name: 'runtime', version, kind: 'runtime', dir: moduleDir }];
      await packUpdate({
        version,
        target: { model: DEVICE.model },
        releaseNotes: `Release ${version}`,
        entry: 'modules/runtime/start.mjs',
        signingKey: releaseKey.privateKey,
        encryptTo: deviceKey.publicKey,
        output,
        ...options,
        modules,
      });
      return output;
    },
    async close() {
      await service.stop();
      security.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A fingerprint of a whole folder tree (names, sizes, contents): equal before and after = untouched. */
export async function treeHash(dir: string): Promise<string> {
  return (await measureModule(() => fileSetOfDirectory(dir))).sha256;
}

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** True while the process exists. */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
