import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const loader = fileURLToPath(new URL('./quiet-mqtt-packet.js', import.meta.url));

/**
 * Each case runs in a fresh Node process: the point is what the module cache
 * holds after mqtt-packet first loads, which a process can do only once.
 */
function runFresh(debugEnv: string | undefined, quiet = true): Promise<{ stdout: string; stderr: string }> {
  const script = `
    import { createRequire } from 'node:module';
    const { loadMqttPacketQuietly } = await import(${JSON.stringify(loader)});
    if (${quiet}) loadMqttPacketQuietly();
    const require = createRequire(${JSON.stringify(loader)});
    const mqttPacket = require('mqtt-packet');
    const debug = createRequire(require.resolve('mqtt-packet'))('debug');
    // A PUBLISH written and read back by the quietly loaded codec.
    const bytes = mqttPacket.generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.from('hello'), qos: 0, retain: false, dup: false });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const seen = [];
    parser.on('packet', (packet) => seen.push([packet.topic, packet.payload.toString()]));
    parser.parse(bytes);
    // Turning tracing on later reaches only trace functions that are real (not the quiet no-ops).
    debug.enable('mqtt-packet:*');
    parser.parse(bytes);
    // Other packages requiring debug afterwards get the real one back.
    const other = debug('someone-else');
    console.log(JSON.stringify({ seen, realDebugBack: typeof debug.enable === 'function' && typeof other.extend === 'function' && other.namespace === 'someone-else' }));
  `;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (debugEnv) env.DEBUG = debugEnv;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env, timeout: 20_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr })));
  });
}

describe('loadMqttPacketQuietly', () => {
  test('the codec still reads what it writes, and debug is restored for everyone else', async () => {
    const { stdout, stderr } = await runFresh(undefined);
    const result = JSON.parse(stdout.trim()) as { seen: string[][]; realDebugBack: boolean };
    assert.deepEqual(result.seen, [['a/b', 'hello'], ['a/b', 'hello']]);
    assert.equal(result.realDebugBack, true);
    assert.doesNotMatch(stderr, /mqtt-packet/, 'the codec got no-op trace functions');
  });

  test('control: loaded the ordinary way, the same codec traces once tracing is turned on', async () => {
    const { stderr } = await runFresh(undefined, false);
    assert.match(stderr, /mqtt-packet:parser.*parse/);
  });

  test('DEBUG=mqtt-packet:* still traces the codec', async () => {
    const { stderr } = await runFresh('mqtt-packet:*');
    assert.match(stderr, /mqtt-packet:parser.*parse/);
    assert.match(stderr, /mqtt-packet:writeToStream/);
  });
});
