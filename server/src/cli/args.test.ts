import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseCliArgs } from './args.js';
import { StartupError } from '../bootstrap/startup-error.js';

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): StartupError {
  try {
    parseCliArgs(argv, env);
  } catch (error) {
    assert.ok(error instanceof StartupError);
    assert.equal(error.exitCode, 2);
    return error;
  }
  assert.fail(`expected a usage error for ${argv.join(' ')}`);
}

describe('parseCliArgs', () => {
  test('help and version', () => {
    assert.deepEqual(parseCliArgs(['--help'], {}), { kind: 'help', topic: 'main' });
    assert.deepEqual(parseCliArgs(['-h'], {}), { kind: 'help', topic: 'main' });
    assert.deepEqual(parseCliArgs(['help', 'start'], {}), { kind: 'help', topic: 'start' });
    assert.deepEqual(parseCliArgs(['start', '--help'], {}), { kind: 'help', topic: 'start' });
    assert.deepEqual(parseCliArgs(['--version'], {}), { kind: 'version' });
  });

  test('start with every option', () => {
    const command = parseCliArgs(['start', '--flows', 'f.json', '--data=/d', '--port', '1880', '--host', '0.0.0.0', '--log-level', 'warn'], {});
    assert.deepEqual(command, { kind: 'start', options: { flows: 'f.json', data: '/d', port: 1880, host: '0.0.0.0', logLevel: 'warn' } });
  });

  test('start defaults: log level info, or LOOPEDGE_LOG_LEVEL', () => {
    assert.deepEqual(parseCliArgs(['start'], {}), { kind: 'start', options: { logLevel: 'info' } });
    assert.deepEqual(parseCliArgs(['start'], { LOOPEDGE_LOG_LEVEL: 'debug' }), { kind: 'start', options: { logLevel: 'debug' } });
  });

  test('start --http-redirect-port', () => {
    assert.deepEqual(parseCliArgs(['start', '--port', '8443', '--http-redirect-port', '8080'], {}), {
      kind: 'start',
      options: { port: 8443, httpRedirectPort: 8080, logLevel: 'info' },
    });
    assert.match(usageError(['start', '--http-redirect-port', 'x']).message, /--http-redirect-port must be a whole number/);
  });

  test('users add: username, role (admin by default), data folder; never a password argument', () => {
    assert.deepEqual(parseCliArgs(['users', 'add', '--username', 'ana', '--data', '/d'], {}), { kind: 'users-add', options: { username: 'ana', role: 'admin', data: '/d' } });
    assert.deepEqual(parseCliArgs(['users', 'add', '-u', 'bo', '-r', 'viewer'], {}), { kind: 'users-add', options: { username: 'bo', role: 'viewer' } });
    assert.deepEqual(parseCliArgs(['users'], {}), { kind: 'help', topic: 'users' });
    assert.match(usageError(['users', 'add']).message, /--username/);
    assert.match(usageError(['users', 'add', '--username', 'x', '--role', 'root']).message, /--role must be one of admin, editor, operator, viewer/);
    assert.match(usageError(['users', 'add', '--username', 'x', '--password', 'secret']).message, /--password/);
    assert.match(usageError(['users', 'remove']).message, /Unknown users action "remove"/);
  });

  test('usage mistakes say what is wrong', () => {
    assert.match(usageError([]).message, /No command/);
    assert.match(usageError(['stop']).message, /Unknown command "stop"/);
    assert.match(usageError(['--verbose']).message, /Unknown option --verbose/);
    assert.match(usageError(['start', '--nope']).message, /--nope/);
    assert.match(usageError(['start', 'extra']).message, /extra/);
    assert.match(usageError(['start', '--port', '65536']).message, /--port must be a whole number/);
    assert.match(usageError(['start', '--port', '12ab']).message, /"12ab"/);
    assert.match(usageError(['start', '--flows']).message, /--flows/);
    assert.match(usageError(['start', '--flows', ' ']).message, /--flows needs a value/);
    assert.match(usageError(['start'], { LOOPEDGE_LOG_LEVEL: 'loud' }).message, /"loud".*LOOPEDGE_LOG_LEVEL/);
  });
});
