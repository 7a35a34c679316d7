import type { Logger } from 'pino';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface ShutdownOptions {
  /** Upper bound for a graceful stop; the runtime bounds each node's close already. */
  stopTimeoutMs?: number;
  /** Where signals and process errors come from (tests pass their own emitter). */
  processEvents?: NodeJS.EventEmitter;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface ShutdownOutcome {
  exitCode: number;
  /** False when the stop was abandoned (second signal, stop timeout): exit now, do not wait for stragglers. */
  graceful: boolean;
}

/**
 * Keeps the process up until SIGINT/SIGTERM, then stops the server and
 * resolves with the exit code: 0 after a clean stop, 1 if stopping failed or
 * an uncaught exception ended the run. A second signal while stopping gives up
 * at once (exit 1), as a person pressing Ctrl-C twice expects.
 */
export function runUntilShutdown(server: Stoppable, logger: Logger, options: ShutdownOptions = {}): Promise<ShutdownOutcome> {
  const events = options.processEvents ?? process;
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  // A flow without timers or sockets would let Node exit on its own; a server waits for a signal.
  const keepAlive = setInterval(() => undefined, 1 << 30);

  return new Promise<ShutdownOutcome>((resolve) => {
    let stopping = false;

    const finish = (exitCode: number, graceful = true): void => {
      clearInterval(keepAlive);
      for (const signal of SIGNALS) events.off(signal, onSignal);
      events.off('uncaughtException', onUncaught);
      events.off('unhandledRejection', onRejection);
      resolve({ exitCode, graceful });
    };

    const stop = (reason: string, exitCode: number): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason }, 'Stopping: closing every node');
      const timeout = setTimeout(() => {
        logger.error({ timeoutMs: stopTimeoutMs }, 'Stopping took too long; exiting without waiting further');
        finish(1, false);
      }, stopTimeoutMs);
      // Unref'd: if the server's stop leaves nothing running, this must not keep Node alive.
      timeout.unref();
      server.stop().then(
        () => {
          clearTimeout(timeout);
          logger.info({ reason }, 'Stopped');
          finish(exitCode);
        },
        (error: unknown) => {
          clearTimeout(timeout);
          logger.error({ err: error }, 'Stopping failed');
          finish(1);
        },
      );
    };

    function onSignal(signal: NodeJS.Signals): void {
      if (stopping) {
        logger.warn({ signal }, 'Second signal while stopping: exiting now');
        finish(1, false);
        return;
      }
      stop(signal, 0);
    }

    function onUncaught(error: unknown): void {
      // The runtime contains errors thrown by nodes; reaching here means the
      // process state is unknown, so stop as cleanly as possible and fail.
      logger.fatal({ err: error }, 'Uncaught exception outside the runtime');
      if (stopping) finish(1, false);
      else stop('uncaught exception', 1);
    }

    function onRejection(reason: unknown): void {
      // A forgotten promise does not corrupt state: log it and keep the machine's data flowing.
      logger.error({ err: reason }, 'Unhandled promise rejection (kept running)');
    }

    for (const signal of SIGNALS) events.on(signal, onSignal);
    events.on('uncaughtException', onUncaught);
    events.on('unhandledRejection', onRejection);
  });
}

/**
 * After a graceful stop, Node exits by itself once nothing is left running,
 * which proves every node released its timers and sockets. A node that forgot
 * one would keep the process up forever; after `graceMs` it is named in the log
 * and the process exits anyway. The timer is unref'd so it never delays a clean exit.
 */
export function exitWhenIdle(exitCode: number, logger: Logger, exit: (code: number) => void, graceMs = 5_000): void {
  const timer = setTimeout(() => {
    const stillOpen = process.getActiveResourcesInfo().filter((name) => name !== 'TTYWrap');
    logger.warn({ stillOpen, graceMs }, 'Stopped, but something a node started is still running (a timer or socket not released in close); exiting anyway');
    exit(exitCode);
  }, graceMs);
  timer.unref();
}
