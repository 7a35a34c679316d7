// `loopedge supervise` through the real CLI entry point, with small stand-in
// releases installed in DATA/releases: a restart for an update (exit code 75)
// starts the new `current`; a new release that never gets ready is rolled back
// to `previous` (audited) and that one started; SIGTERM stops everything.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { openSecurity } from '@loopedge/security';
import { createServerLogger, engineHeapFlags, parseCliArgs, StartupError, UpdateJobs, type UpdateJob } from '@loopedge/server';
import { CliProcess } from '../cli/cli-process.js';
import { DEVICE, isAlive, openTestDevice } from './update-fixture.js';

type StandIn = 'healthy' | 'never-ready';

const CREDENTIAL_KEY = 'ab'.repeat(32);
const spawned: CliProcess[] = [];
const childPids = new Set<number>();
const workDirs: string[] = [];

after(async () => {
  for (const cli of spawned) cli.kill('SIGKILL');
  for (const pid of childPids) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await Promise.all(spawned.map((cli) => cli.exited));
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

/** A release's start script: 'healthy' announces itself (with pid and version) and exits 75 on SIGUSR2. */
function standInScript(version: string, behaviour: StandIn): string {
  const hello = `{ standin: '${version}', pid: process.pid }`;
  const keepAlive = `const keep = setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => { clearInterval(keep); process.exit(0); });`;
  // Signal handlers first: a test may signal the release as soon as it has announced itself.
  if (behaviour === 'never-ready') return `${keepAlive}\nconsole.log(JSON.stringify(${hello}));\n`;
  return `${keepAlive}
process.on('SIGUSR2', () => process.exit(75));
console.log(JSON.stringify({ loopedge: 'ready', url: 'http://127.0.0.1:1', flowsStarted: true, version: '${version}', pid: process.pid, execArgv: process.execArgv }));
`;
}

function installRelease(dataDir: string, version: string, behaviour: StandIn): void {
  const dir = join(dataDir, 'releases', version);
  mkdirSync(join(dir, 'modules', 'runtime'), { recursive: true });
  writeFileSync(join(dir, 'modules', 'runtime', 'start.mjs'), standInScript(version, behaviour));
  const module = { name: 'runtime', version, kind: 'runtime', sha256: '0'.repeat(64), size: 0, unpackedSize: 0 };
  const manifest = { format: 1, version, target: { model: '*' }, releaseNotes: '', createdAt: new Date().toISOString(), entry: 'modules/runtime/start.mjs', modules: [module] };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** What a successful apply leaves: `current` on the new release, `previous` on the old one. */
function pointLink(dataDir: string, link: 'current' | 'previous', version: string): void {
  const temp = join(dataDir, 'releases', `.${link}-test`);
  symlinkSync(version, temp);
  renameSync(temp, join(dataDir, 'releases', link));
}

function newDevice(): { dataDir: string; env: NodeJS.ProcessEnv } {
  const work = mkdtempSync(join(tmpdir(), 'loopedge-supervise-'));
  workDirs.push(work);
  const dataDir = join(work, 'data');
  mkdirSync(join(dataDir, 'releases'), { recursive: true, mode: 0o700 });
  return { dataDir, env: { PATH: process.env.PATH ?? '', HOME: work, LOOPEDGE_CREDENTIAL_KEY: CREDENTIAL_KEY } };
}

function supervise(dataDir: string, env: NodeJS.ProcessEnv, extra: string[] = []): CliProcess {
  const cli = new CliProcess(['supervise', '--data', dataDir, ...extra], env);
  spawned.push(cli);
  return cli;
}

function lines(cli: CliProcess, key: 'version' | 'standin'): Array<{ version: string; pid: number; execArgv?: string[] }> {
  return cli.stdoutLines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (typeof parsed[key] !== 'string' || typeof parsed.pid !== 'number') return [];
      childPids.add(parsed.pid);
      return [{ version: parsed[key] as string, pid: parsed.pid, ...(Array.isArray(parsed.execArgv) ? { execArgv: parsed.execArgv as string[] } : {}) }];
    } catch {
      return [];
    }
  });
}

const readyLines = (cli: CliProcess) => lines(cli, 'version');

test('exit code 75 starts the new current release at once; SIGTERM then stops it and the supervisor', async () => {
  const { dataDir, env } = newDevice();
  installRelease(dataDir, '1.0.0', 'healthy');
  installRelease(dataDir, '2.0.0', 'healthy');
  pointLink(dataDir, 'current', '1.0.0');
  const cli = supervise(dataDir, env);
  await cli.waitUntil('release 1.0.0 ready', () => readyLines(cli).length === 1);
  const first = readyLines(cli)[0]!;
  assert.equal(first.version, '1.0.0');

  pointLink(dataDir, 'current', '2.0.0');
  pointLink(dataDir, 'previous', '1.0.0');
  process.kill(first.pid, 'SIGUSR2');
  await cli.waitUntil('release 2.0.0 ready', () => readyLines(cli).length === 2);
  const second = readyLines(cli)[1]!;
  assert.equal(second.version, '2.0.0');
  assert.equal(isAlive(first.pid), false, 'the old release still runs');
  assert.equal(readlinkSync(join(dataDir, 'releases', 'current')), '2.0.0');

  cli.kill('SIGTERM');
  const exit = await cli.exited;
  assert.equal(exit.code, 0, cli.stderrLines.join('\n'));
  assert.equal(isAlive(second.pid), false, 'the release outlived its supervisor');
});

test('the release runs with the engine heap flags; LOOPEDGE_MAX_HEAP_MB sets the limit; a bad value stops supervise before it starts anything', async () => {
  const { dataDir, env } = newDevice();
  installRelease(dataDir, '1.0.0', 'healthy');
  pointLink(dataDir, 'current', '1.0.0');
  const started = async (extraEnv: NodeJS.ProcessEnv): Promise<string[]> => {
    const cli = supervise(dataDir, { ...env, ...extraEnv });
    await cli.waitUntil('release 1.0.0 ready', () => readyLines(cli).length === 1);
    const execArgv = readyLines(cli)[0]!.execArgv ?? [];
    cli.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0, cli.stderrLines.join('\n'));
    return execArgv;
  };
  assert.deepEqual(await started({}), engineHeapFlags({}));
  assert.ok((await started({ LOOPEDGE_MAX_HEAP_MB: '300' })).includes('--max-old-space-size=300'));

  const bad = supervise(dataDir, { ...env, LOOPEDGE_MAX_HEAP_MB: '1.5GB' });
  const exit = await bad.exited;
  assert.equal(exit.code, 2);
  assert.match(bad.stderrLines.join('\n'), /LOOPEDGE_MAX_HEAP_MB must be a whole number of megabytes, at least 128, got "1\.5GB"/);
  assert.equal(readyLines(bad).length, 0, 'a release was started despite the bad setting');
});

test('a new release that never reports ready is rolled back to previous, audited, and previous is started', async () => {
  const { dataDir, env } = newDevice();
  installRelease(dataDir, '1.0.0', 'healthy');
  installRelease(dataDir, '2.0.0', 'never-ready');
  pointLink(dataDir, 'current', '1.0.0');
  const cli = supervise(dataDir, env, ['--health-timeout', '1.5']);
  await cli.waitUntil('release 1.0.0 ready', () => readyLines(cli).length === 1);
  const first = readyLines(cli)[0]!;

  pointLink(dataDir, 'current', '2.0.0');
  pointLink(dataDir, 'previous', '1.0.0');
  process.kill(first.pid, 'SIGUSR2');
  await cli.waitUntil('release 2.0.0 started', () => lines(cli, 'standin').length === 1);
  await cli.waitUntil('release 1.0.0 ready again', () => readyLines(cli).length === 2);
  const bad = lines(cli, 'standin')[0]!;
  const restored = readyLines(cli)[1]!;
  assert.equal(bad.version, '2.0.0');
  assert.equal(restored.version, '1.0.0');
  assert.notEqual(restored.pid, first.pid);
  assert.equal(isAlive(bad.pid), false, 'the release that failed its health check still runs');
  assert.equal(readlinkSync(join(dataDir, 'releases', 'current')), '1.0.0');
  assert.ok(cli.stderrLines.some((line) => line.includes('failed its health check after the restart')), cli.stderrLines.join('\n'));

  cli.kill('SIGTERM');
  assert.equal((await cli.exited).code, 0);
  assert.equal(isAlive(restored.pid), false);
  const security = await openSecurity({ dataDir, credentialKey: Buffer.from(CREDENTIAL_KEY, 'hex') });
  try {
    const [entry] = security.audit.list({ action: 'update.rollback' });
    assert.ok(entry, 'no update.rollback entry in the audit log');
    assert.equal(entry.target, '2.0.0');
    assert.equal((entry.details as Record<string, unknown>).to, '1.0.0');
  } finally {
    security.close();
  }
});

test('UpdateJobs tells the server to restart only after an apply that kept the new release', async () => {
  const device = await openTestDevice();
  const applied: UpdateJob[] = [];
  const jobs = new UpdateJobs({
    dataDir: device.dataDir, audit: device.security.audit, trustedKeys: device.security.trustedKeys, device: DEVICE,
    logger: createServerLogger({ level: 'silent' }), healthDeadlineMs: 10_000,
  });
  jobs.onApplied((job) => applied.push(job));
  try {
    await jobs.receive(createReadStream(await device.pack('1.1.0', { behaviour: 'exits' })), { actor: 'admin' });
    await jobs.idle();
    assert.equal(jobs.list()[0]?.state, 'rolled-back');
    assert.equal(applied.length, 0, 'a rolled-back apply asked for a restart');

    await jobs.receive(createReadStream(await device.pack('1.2.0')), { actor: 'admin' });
    await jobs.idle();
    assert.equal(applied.length, 1);
    assert.equal(applied[0]?.state, 'applied');
    assert.equal(applied[0]?.result?.to, '1.2.0');
  } finally {
    await jobs.close();
    await device.close();
  }
});

test('start takes its default port from LOOPEDGE_PORT (the probe sets 0); --port wins; supervise keeps its arguments', () => {
  const port = (argv: string[], env: NodeJS.ProcessEnv): number | undefined => {
    const command = parseCliArgs(argv, env);
    assert.equal(command.kind, 'start');
    return command.kind === 'start' ? command.options.port : undefined;
  };
  assert.equal(port(['start'], { LOOPEDGE_PORT: '0' }), 0);
  assert.equal(port(['start', '--port', '1999'], { LOOPEDGE_PORT: '0' }), 1999);
  assert.equal(port(['start'], {}), undefined);
  assert.throws(() => parseCliArgs(['start'], { LOOPEDGE_PORT: 'eighty' }), (error: unknown) => error instanceof StartupError && /LOOPEDGE_PORT/.test(error.message));
  assert.deepEqual(parseCliArgs(['supervise', '--data', '/d', '--port', '0'], {}), { kind: 'supervise', argv: ['--data', '/d', '--port', '0'] });
});
