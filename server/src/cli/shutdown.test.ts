import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import pino from 'pino';
import { exitWhenIdle, runUntilShutdown } from './shutdown.js';

function capturingLogger(): { logger: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** A server whose stop() we resolve by hand, to look at the moment in between. */
function controllableServer(): { stop(): Promise<void>; stopCalls: number; finishStop(error?: Error): void } {
  let settle: ((error?: Error) => void) | undefined;
  const server = {
    stopCalls: 0,
    stop(): Promise<void> {
      server.stopCalls++;
      return new Promise<void>((resolve, reject) => {
        settle = (error) => (error ? reject(error) : resolve());
      });
    },
    finishStop(error?: Error): void {
      settle?.(error);
    },
  };
  return server;
}

describe('runUntilShutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} stops the server once and exits 0`, async () => {
      const events = new EventEmitter();
      const server = controllableServer();
      const { logger, lines } = capturingLogger();
      const exit = runUntilShutdown(server, logger, { processEvents: events });
      events.emit(signal, signal);
      assert.equal(server.stopCalls, 1);
      server.finishStop();
      assert.deepEqual(await exit, { exitCode: 0, graceful: true });
      assert.ok(lines.some((l) => l.msg === 'Stopped'));
      assert.equal(events.listenerCount(signal), 0, 'listeners are removed after the stop');
    });
  }

  test('a second signal while stopping exits 1 at once', async () => {
    const events = new EventEmitter();
    const server = controllableServer();
    const { logger } = capturingLogger();
    const exit = runUntilShutdown(server, logger, { processEvents: events });
    events.emit('SIGINT', 'SIGINT');
    events.emit('SIGINT', 'SIGINT');
    assert.deepEqual(await exit, { exitCode: 1, graceful: false });
    assert.equal(server.stopCalls, 1);
    server.finishStop();
  });

  test('a failing stop exits 1 and is logged', async () => {
    const events = new EventEmitter();
    const server = controllableServer();
    const { logger, lines } = capturingLogger();
    const exit = runUntilShutdown(server, logger, { processEvents: events });
    events.emit('SIGTERM', 'SIGTERM');
    server.finishStop(new Error('disk gone'));
    assert.deepEqual(await exit, { exitCode: 1, graceful: true });
    assert.ok(lines.some((l) => l.level === 50 && l.msg === 'Stopping failed'));
  });

  test('an uncaught exception is logged as fatal, then the server is stopped and the exit code is 1', async () => {
    const events = new EventEmitter();
    const server = controllableServer();
    const { logger, lines } = capturingLogger();
    const exit = runUntilShutdown(server, logger, { processEvents: events });
    events.emit('uncaughtException', new Error('boom'));
    assert.ok(lines.some((l) => l.level === 60));
    assert.equal(server.stopCalls, 1);
    server.finishStop();
    assert.deepEqual(await exit, { exitCode: 1, graceful: true });
  });

  test('an unhandled rejection is logged and the server keeps running', async () => {
    const events = new EventEmitter();
    const server = controllableServer();
    const { logger, lines } = capturingLogger();
    const exit = runUntilShutdown(server, logger, { processEvents: events });
    events.emit('unhandledRejection', new Error('forgotten promise'));
    assert.equal(server.stopCalls, 0);
    assert.ok(lines.some((l) => l.level === 50 && /Unhandled promise rejection/.test(l.msg)));
    events.emit('SIGTERM', 'SIGTERM');
    server.finishStop();
    assert.deepEqual(await exit, { exitCode: 0, graceful: true });
  });
});

describe('exitWhenIdle', () => {
  test('when something a node started is still running, it is logged and the process is ended anyway', async () => {
    const { logger, lines } = capturingLogger();
    const leaked = setInterval(() => undefined, 1000); // what a node that forgot its close() would leave
    try {
      const code = await new Promise<number>((resolve) => exitWhenIdle(3, logger, resolve, 10));
      assert.equal(code, 3);
      const warning = lines.find((l) => l.level === 40) as { msg: string; stillOpen: string[] } | undefined;
      assert.ok(warning, 'a warning was logged');
      assert.match(warning.msg, /still running/);
      assert.ok(warning.stillOpen.includes('Timeout'), JSON.stringify(warning.stillOpen));
    } finally {
      clearInterval(leaked);
    }
  });
});
