import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../bootstrap/start-server.js';
import { StartupError } from '../bootstrap/startup-error.js';
import { createServerLogger } from '../logging/logger.js';
import { parseCliArgs, type StartOptions } from './args.js';
import { flowsHelp, keysHelp, mainHelp, startHelp, superviseHelp, updateHelp, usersHelp } from './help-text.js';
import { runFlowsCommand } from './flows-command.js';
import { runKeysCommand } from './keys-command.js';
import { runSuperviseCommand } from './supervise-command.js';
import { RESTART_FOR_UPDATE_EXIT_CODE, SUPERVISED_ENV } from '../updates/release-supervisor.js';
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
    // Flow signing for pipelines (keys generate, flows sign|verify|deploy): own option parsing.
    const [first, ...rest] = argv;
    if (first === 'keys' || first === 'flows') {
      if (rest.length === 0 || rest.includes('--help') || rest.includes('-h')) {
        io.stdout(first === 'keys' ? keysHelp() : flowsHelp());
        return 0;
      }
      return first === 'keys' ? await runKeysCommand(rest, io) : await runFlowsCommand(rest, io);
    }
    const command = parseCliArgs(argv, io.env);
    switch (command.kind) {
      case 'help':
        io.stdout(command.topic === 'start' ? startHelp() : command.topic === 'users' ? usersHelp() : command.topic === 'update' ? updateHelp() : command.topic === 'supervise' ? superviseHelp() : mainHelp(packageVersion()));
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
      case 'supervise':
        return await runSuperviseCommand(command.argv, io);
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
  const restartForUpdate = restartAfterApply(server, io, logger);
  const outcome = await runUntilShutdown(server, logger);
  const exitCode = outcome.graceful && restartForUpdate.requested ? RESTART_FOR_UPDATE_EXIT_CODE : outcome.exitCode;
  if (outcome.graceful) exitWhenIdle(exitCode, logger, io.exit);
  else io.exit(exitCode);
  return exitCode;
}

/**
 * Under `loopedge supervise`, an update applied through the admin API (it passed
 * its probe and is now `current`) ends this process with exit code 75 so the
 * supervisor starts the new release. The stop is the same graceful one as on
 * SIGTERM, started once the job's last progress event went out. Without a
 * supervisor nothing would start the new release, so the server keeps running
 * and logs that a restart is needed.
 */
function restartAfterApply(server: RunningServer, io: CliIo, logger: ReturnType<typeof createServerLogger>): { requested: boolean } {
  const state = { requested: false };
  const updates = server.admin?.server.updates;
  if (!updates) return state;
  updates.onApplied((job) => {
    if (io.env[SUPERVISED_ENV] !== '1') {
      logger.warn({ job: job.id, version: job.result?.to }, 'Update applied; restart LoopEdge (or run it under "loopedge supervise") to run the new release');
      return;
    }
    if (state.requested) return;
    state.requested = true;
    logger.info({ job: job.id, version: job.result?.to }, 'Update applied: stopping so the supervisor starts the new release');
    // Give the socket.io progress event a moment to leave before the server closes.
    const timer = setTimeout(() => process.emit('SIGTERM', 'SIGTERM'), 250);
    timer.unref();
  });
  return state;
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
