import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess } from './cli-process.js';

// End-to-end: the real `loopedge` process, a temp data folder, real node types.
const spawned: CliProcess[] = [];
let workDir: string;

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'loopedge-cli-'));
});

after(async () => {
  for (const cli of spawned) cli.kill('SIGKILL');
  await Promise.all(spawned.map((cli) => cli.exited));
  rmSync(workDir, { recursive: true, force: true });
});

function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  // The admin API listens on 1880 by default; tests run side by side, so each takes a free port.
  const withPort = args[0] === 'start' && !args.includes('--port') ? [...args, '--port', '0'] : args;
  // HOME points into the temp folder so nothing can touch the real ~/.loopedge.
  const cli = new CliProcess(withPort, { PATH: process.env.PATH, HOME: workDir, LOOPEDGE_LOG_LEVEL: 'info', ...env });
  spawned.push(cli);
  return cli;
}

let fileCount = 0;
function writeJson(content: unknown): string {
  const path = join(workDir, `flows-${++fileCount}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 4));
  return path;
}

function freshDataDir(): string {
  return join(workDir, `data-${++fileCount}`);
}

/** As Node-RED 4.1 exports it (Export → all flows), including layout properties. */
const nodeRedExport = [
  { id: 'f6f2187d.f17ca8', type: 'tab', label: 'Flow 1', disabled: false, info: '', env: [] },
  {
    id: '3cc11d24.ff01a2',
    type: 'inject',
    z: 'f6f2187d.f17ca8',
    name: 'once',
    props: [{ p: 'payload' }, { p: 'topic', vt: 'str' }],
    repeat: '',
    crontab: '',
    once: true,
    onceDelay: 0.1,
    topic: 'line-3/counter',
    payload: '41',
    payloadType: 'num',
    x: 130,
    y: 80,
    wires: [['7a3b2c1d.e4f5a6']],
  },
  {
    id: '7a3b2c1d.e4f5a6',
    type: 'change',
    z: 'f6f2187d.f17ca8',
    name: 'add one, set unit',
    rules: [
      { t: 'set', p: 'payload', pt: 'msg', to: '{"count": payload + 1, "unit": "parts"}', tot: 'jsonata' },
      { t: 'set', p: 'checked', pt: 'msg', to: 'true', tot: 'bool' },
    ],
    action: '',
    property: '',
    from: '',
    to: '',
    reg: false,
    x: 320,
    y: 80,
    wires: [['b5d4e3f2.a1b2c3']],
  },
  {
    id: 'b5d4e3f2.a1b2c3',
    type: 'debug',
    z: 'f6f2187d.f17ca8',
    name: 'to console',
    active: true,
    tosidebar: true,
    console: true,
    tostatus: false,
    complete: 'payload',
    targetType: 'msg',
    statusVal: '',
    statusType: 'auto',
    x: 520,
    y: 80,
    wires: [],
  },
  // A repeating inject: its interval keeps the process alive unless its close handler clears it.
  {
    id: 'c0ffee00.000001',
    type: 'inject',
    z: 'f6f2187d.f17ca8',
    name: 'every 10 s',
    props: [{ p: 'payload' }],
    repeat: '10',
    crontab: '',
    once: false,
    onceDelay: 0.1,
    topic: '',
    payload: '',
    payloadType: 'date',
    x: 130,
    y: 140,
    wires: [[]],
  },
];

describe('loopedge start', () => {
  test('runs a Node-RED export: the debug node prints the expected JSON line on stdout', async () => {
    const cli = startCli(['start', '--flows', writeJson(nodeRedExport), '--data', freshDataDir()]);
    await cli.waitUntil('the debug line', () => cli.debugLines.length > 0);
    const [line] = cli.debugLines;
    assert.equal(typeof line!.msgid, 'string');
    assert.deepEqual(
      { ...line, msgid: '(id)' },
      { debug: 'b5d4e3f2.a1b2c3', name: 'to console', msgid: '(id)', topic: 'line-3/counter', property: 'payload', value: { count: 42, unit: 'parts' } },
    );
    assert.ok(cli.logLines.every((l) => (l.level as number) < 50), 'no errors logged');
    await cli.waitUntil('the ready line', () => cli.readyLine !== undefined);
    assert.equal(cli.readyLine!.flowsStarted, true);
    assert.match(String(cli.readyLine!.url), /^https:\/\/127\.0\.0\.1:\d+$/);

    // SIGTERM: every node closes, then Node exits by itself (the repeating
    // inject's interval would otherwise keep it up and the CLI would log that
    // something was not released).
    cli.kill('SIGTERM');
    const exit = await cli.waitForExit();
    assert.deepEqual(exit, { code: 0, signal: null });
    const messages = cli.logLines.map((l) => l.msg as string);
    assert.ok(messages.includes('Stopped'), messages.join('\n'));
    assert.ok(!messages.some((m) => /still running/.test(m)), `a node left something running:\n${cli.stderrLines.join('\n')}`);
  });

  test('SIGINT stops as cleanly as SIGTERM', async () => {
    const cli = startCli(['start', '--flows', writeJson(nodeRedExport), '--data', freshDataDir()]);
    await cli.waitUntil('the debug line', () => cli.debugLines.length > 0);
    cli.kill('SIGINT');
    assert.deepEqual(await cli.waitForExit(), { code: 0, signal: null });
  });

  test('an invalid flow file: exit code 2, one line per problem naming the node id', async () => {
    const flows = writeJson([
      { id: 'tab1', type: 'tab', label: 'Flow 1' },
      { id: 'dup', type: 'inject', z: 'tab1', wires: [[]] },
      { id: 'dup', type: 'debug', z: 'tab1', wires: [] },
      { id: 'wired', type: 'inject', z: 'tab1', wires: [['nowhere']] },
      { id: 'unknown', type: 'modbus-flux-capacitor', z: 'tab1', wires: [] },
    ]);
    const cli = startCli(['start', '--flows', flows, '--data', freshDataDir()]);
    assert.deepEqual(await cli.waitForExit(), { code: 2, signal: null });
    const [header, ...problems] = cli.plainErrors;
    assert.match(header!, /has 3 problems; nothing was started/);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems.find((l) => l.startsWith('dup '))!, /^dup id: .*"dup"/);
    assert.match(problems.find((l) => l.startsWith('wired '))!, /^wired wires\[0\]\[0\]: .*"nowhere"/);
    assert.match(problems.find((l) => l.startsWith('unknown '))!, /^unknown type: .*"modbus-flux-capacitor"/);
    assert.deepEqual(cli.stdoutLines.filter(Boolean), [], 'nothing ran');
  });

  test('a node property of the wrong type is refused before anything runs', async () => {
    const flows = writeJson([
      { id: 'tab1', type: 'tab' },
      { id: 'bad-change', type: 'change', z: 'tab1', rules: 'set payload to 5', wires: [[]] },
    ]);
    const cli = startCli(['start', '--flows', flows, '--data', freshDataDir()]);
    assert.deepEqual(await cli.waitForExit(), { code: 2, signal: null });
    assert.ok(cli.plainErrors.some((l) => /^bad-change rules: /.test(l)), cli.plainErrors.join('\n'));
  });

  test('bad JSON: exit code 2 naming the file, line and column', async () => {
    const flows = writeJson('[\n  { "id": "tab1", "type": "tab" },\n  { "id": "n1" "type": "debug" }\n]\n');
    const cli = startCli(['start', '--flows', flows, '--data', freshDataDir()]);
    assert.deepEqual(await cli.waitForExit(), { code: 2, signal: null });
    assert.ok(cli.plainErrors.some((l) => l.includes(`${flows}:3:16: expected ',' or '}'`)), cli.plainErrors.join('\n'));
  });

  test('a missing --flows file and a bad option: exit code 2', async () => {
    const missing = startCli(['start', '--flows', join(workDir, 'no-such.json'), '--data', freshDataDir()]);
    assert.equal((await missing.waitForExit()).code, 2);
    assert.match(missing.plainErrors.join('\n'), /no-such\.json \(from --flows\) does not exist/);
    const badOption = startCli(['start', '--frobnicate']);
    assert.equal((await badOption.waitForExit()).code, 2);
  });

  test('a value in the persistent "file" context store survives SIGKILL and a restart', async () => {
    const dataDir = freshDataDir();
    // Each run remembers the previous run's mark: read flow "file" context, then overwrite it.
    const flows = writeJson([
      { id: 'tab1', type: 'tab', label: 'Flow 1' },
      {
        id: 'start',
        type: 'inject',
        z: 'tab1',
        props: [{ p: 'payload', v: 'RUN_MARK', vt: 'env' }],
        once: true,
        onceDelay: 0.1,
        repeat: '',
        wires: [['remember']],
      },
      {
        id: 'remember',
        type: 'change',
        z: 'tab1',
        rules: [
          { t: 'set', p: 'previous', pt: 'msg', to: '#:(file)::lastMark', tot: 'flow' },
          { t: 'set', p: '#:(file)::lastMark', pt: 'flow', to: 'payload', tot: 'msg' },
        ],
        wires: [['show']],
      },
      { id: 'show', type: 'debug', z: 'tab1', active: true, console: true, tosidebar: false, complete: 'true', targetType: 'full', wires: [] },
    ]);

    const first = startCli(['start', '--flows', flows, '--data', dataDir], { RUN_MARK: 'first run' });
    await first.waitUntil('the first run\'s debug line', () => first.debugLines.length > 0);
    const firstMsg = first.debugLines[0]!.value as Record<string, unknown>;
    assert.equal(firstMsg.payload, 'first run');
    assert.equal(firstMsg.previous, undefined);
    first.kill('SIGKILL');
    assert.equal((await first.waitForExit()).signal, 'SIGKILL');

    const second = startCli(['start', '--flows', flows, '--data', dataDir], { RUN_MARK: 'second run' });
    await second.waitUntil('the second run\'s debug line', () => second.debugLines.length > 0);
    const secondMsg = second.debugLines[0]!.value as Record<string, unknown>;
    assert.equal(secondMsg.payload, 'second run');
    assert.equal(secondMsg.previous, 'first run');
    assert.ok(existsSync(join(dataDir, 'context.sqlite')));
    second.kill('SIGTERM');
    assert.equal((await second.waitForExit()).code, 0);
  });

  test('first start without flows runs the demo flow and prints live readings', async () => {
    const dataDir = freshDataDir();
    // No --data: LOOPEDGE_DATA is the documented way to move the data folder.
    const cli = startCli(['start'], { LOOPEDGE_DATA: dataDir });
    await cli.waitUntil('two live readings', () => cli.debugLines.length >= 2);
    for (const line of cli.debugLines.slice(0, 2)) {
      assert.ok(line.debug === 'demo-normal' || line.debug === 'demo-high', JSON.stringify(line));
      const reading = line.value as { machine: string; temperature: number; timestamp: string };
      assert.equal(reading.machine, 'press-01');
      assert.equal(typeof reading.temperature, 'number');
      assert.ok(reading.temperature >= 54 && reading.temperature <= 76, `temperature ${reading.temperature}`);
      assert.ok(!Number.isNaN(Date.parse(reading.timestamp)));
      assert.equal(line.debug === 'demo-high', reading.temperature > 70, 'the switch routes by the 70 °C limit');
    }
    const [first, second] = cli.debugLines;
    assert.notEqual(first!.msgid, second!.msgid, 'a new message each tick');
    const saved = JSON.parse(readFileSync(join(dataDir, 'flows.json'), 'utf8')) as Array<{ id: string }>;
    assert.ok(saved.some((item) => item.id === 'demo-tick'), 'the demo flow was written to DATA/flows.json');
    cli.kill('SIGTERM');
    assert.equal((await cli.waitForExit()).code, 0);
  });
});

describe('loopedge --help / --version', () => {
  test('--version prints the package version, --help the commands', async () => {
    const serverPackage = JSON.parse(readFileSync(new URL('../../../server/package.json', import.meta.url), 'utf8')) as { version: string };
    const version = startCli(['--version']);
    assert.equal((await version.waitForExit()).code, 0);
    assert.deepEqual(version.stdoutLines.filter(Boolean), [serverPackage.version]);
    const help = startCli(['--help']);
    assert.equal((await help.waitForExit()).code, 0);
    assert.match(help.stdoutLines.join('\n'), /loopedge start \[options\]/);
  });
});
