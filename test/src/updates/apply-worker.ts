// A device process that applies one package and exits: the crash-safety test
// kills it with SIGKILL at random moments. argv: dataDir, credential key (hex), package path.
import { openSecurity } from '@loopedge/security';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Only the updates module, not the whole server (express, socket.io ...): a faster start leaves more of the
// worker's life to the apply the test kills.
const serverDir = dirname(createRequire(import.meta.url).resolve('@loopedge/server/package.json'));
const { processReleaseRunner, UpdateService } = (await import(pathToFileURL(join(serverDir, 'dist', 'updates', 'index.js')).href)) as typeof import('@loopedge/server');
const DEVICE = { model: 'le-gw-200', groups: ['line-1'] };

const [dataDir, keyHex, packagePath] = process.argv.slice(2) as [string, string, string];
const security = await openSecurity({ dataDir, credentialKey: Buffer.from(keyHex, 'hex'), bcryptCost: 10 });
const service = new UpdateService({
  dataDir, audit: security.audit, trustedKeys: security.trustedKeys, device: DEVICE,
  runner: processReleaseRunner({ dataDir, stopGraceMs: 2000 }), healthDeadlineMs: 10_000, reserveBytes: 0,
});
// Tell the test we are loaded, so its random kill delay covers the apply itself, not module loading.
process.stdout.write('applying\n');
try {
  const result = await service.apply(packagePath, { actor: 'crash-test' });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await service.stop();
  security.close();
}
