import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../bootstrap/start-server.js';
import { StartupError } from '../bootstrap/startup-error.js';
import { createServerLogger } from '../logging/logger.js';
import { parseCliArgs, type StartOptions } from './args.js';
import { mainHelp, startHelp } from './help-text.js';
import { exitWhenIdle, runUntilShutdown } from './shutdown.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Ends the process at once (process.exit): used only when waiting for a clean exit is pointless. */
  exit(code: number): void;
}

/**
 * The `loopedge` command: returns the exit code, for the caller to set as
 * `process.exitCode`. `start` returns only once stopped.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCliArgs(argv, io.env);
    switch (command.kind) {
      case 'help':
        io.stdout(command.topic === 'start' ? startHelp() : mainHelp(packageVersion()));
        return 0;
      case 'version':
        io.stdout(`${packageVersion()}\n`);
        return 0;
      case 'start':
        return await start(command.options, io);
    }
  } catch (error) {
    return reportStartupFailure(error, io);
  }
}

async function start(options: StartOptions, io: CliIo): Promise<number> {
  const logger = createServerLogger({ level: options.logLevel });
  logger.info({ version: packageVersion(), node: process.version }, 'Starting loopedge');
  let server: RunningServer;
  try {
    server = await startServer({ ...options, env: io.env, logger });
  } catch (error) {
    if (!(error instanceof StartupError)) logger.fatal({ err: error }, 'Start-up failed');
    return reportStartupFailure(error, io);
  }
  const outcome = await runUntilShutdown(server, logger);
  if (outcome.graceful) exitWhenIdle(outcome.exitCode, logger, io.exit);
  else io.exit(outcome.exitCode);
  return outcome.exitCode;
}

/**
 * Start-up errors are for the person at the terminal: plain lines on stderr,
 * the message first, then one line per problem (`<node id> <field>: <reason>`).
 */
function reportStartupFailure(error: unknown, io: CliIo): number {
  if (error instanceof StartupError) {
    io.stderr(`loopedge: ${error.message}\n`);
    for (const line of error.details) io.stderr(`${line}\n`);
    return error.exitCode;
  }
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr(`loopedge: start-up failed: ${text}\n`);
  return 1;
}

let cachedVersion: string | undefined;

/** The version in server/package.json (dist/cli/ → ../../package.json). */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    cachedVersion = String((JSON.parse(raw) as { version?: unknown }).version ?? '0.0.0');
  }
  return cachedVersion;
}
