import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../bootstrap/start-server.js';
import { StartupError } from '../bootstrap/startup-error.js';
import { createServerLogger } from '../logging/logger.js';
import { parseCliArgs, type StartOptions } from './args.js';
import { mainHelp, startHelp, updateHelp, usersHelp } from './help-text.js';
import { runUpdateCommand } from './update-command.js';
import { addUser } from './users-command.js';
import type { PasswordSource } from './password-input.js';
import { exitWhenIdle, runUntilShutdown } from './shutdown.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Where `users add` reads the password (process.stdin). */
  stdin?: PasswordSource['input'];
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
        io.stdout(command.topic === 'start' ? startHelp() : command.topic === 'users' ? usersHelp() : command.topic === 'update' ? updateHelp() : mainHelp(packageVersion()));
        return 0;
      case 'version':
        io.stdout(`${packageVersion()}\n`);
        return 0;
      case 'start':
        return await start(command.options, io);
      case 'users-add':
        return await addUser(command.options, io);
      case 'update':
        return await runUpdateCommand(command.argv, io);
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
    server = await startServer({
      ...options,
      // The admin API always runs from the CLI: loopback port 1880 unless told otherwise.
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      env: io.env,
      logger,
      version: packageVersion(),
      announce: io.stderr,
    });
  } catch (error) {
    if (!(error instanceof StartupError)) logger.fatal({ err: error }, 'Start-up failed');
    return reportStartupFailure(error, io);
  }
  // One machine-readable line once everything is up: supervisors and the update
  // health check wait for it (debug "to console" lines share stdout, also as JSON).
  io.stdout(`${JSON.stringify({ loopedge: 'ready', url: server.admin?.server.url, flowsStarted: true })}\n`);
  const outcome = await runUntilShutdown(server, logger);
  if (outcome.graceful) exitWhenIdle(outcome.exitCode, logger, io.exit);
  else io.exit(outcome.exitCode);
  return outcome.exitCode;
}

export const DEFAULT_PORT = 1880;
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Start-up errors are for the person at the terminal: plain lines on stderr,
 * the message first, then one line per problem (`<node id> <field>: <reason>`).
 */
export function reportStartupFailure(error: unknown, io: CliIo): number {
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
