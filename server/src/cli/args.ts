import { parseArgs } from 'node:util';
import { StartupError } from '../bootstrap/startup-error.js';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../logging/logger.js';

export interface StartOptions {
  flows?: string;
  data?: string;
  port?: number;
  host?: string;
  logLevel: LogLevel;
}

export type CliCommand =
  | { kind: 'help'; topic: 'main' | 'start' }
  | { kind: 'version' }
  | { kind: 'start'; options: StartOptions };

export const COMMANDS = ['start'] as const;

/** Parses `loopedge <command> [options]`; a usage mistake throws a StartupError (exit 2). */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined) throw usage('No command given.');
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', topic: rest[0] === 'start' ? 'start' : 'main' };
  if (first === '--version' || first === '-v' || first === '-V') return { kind: 'version' };
  if (first === 'start') return parseStart(rest, env);
  if (first.startsWith('-')) throw usage(`Unknown option ${first}.`);
  throw usage(`Unknown command "${first}".`);
}

function parseStart(argv: string[], env: NodeJS.ProcessEnv): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        flows: { type: 'string', short: 'f' },
        data: { type: 'string', short: 'd' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs names the offending option; keep its words, add where to look.
    throw usage(`${(error as Error).message}.`, 'start');
  }
  if (values.help) return { kind: 'help', topic: 'start' };

  const options: StartOptions = { logLevel: parseLogLevel(values['log-level'] ?? env.LOOPEDGE_LOG_LEVEL ?? 'info') };
  if (values.flows !== undefined) options.flows = nonEmpty(values.flows, '--flows');
  if (values.data !== undefined) options.data = nonEmpty(values.data, '--data');
  if (values.host !== undefined) options.host = nonEmpty(values.host, '--host');
  if (values.port !== undefined) options.port = parsePort(values.port);
  return { kind: 'start', options };
}

function parsePort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port must be a whole number from 0 to 65535, got "${text}".`, 'start');
  return port;
}

function parseLogLevel(text: string): LogLevel {
  if (!isLogLevel(text)) throw usage(`Log level "${text}" is not one of ${LOG_LEVELS.join(', ')} (from --log-level or LOOPEDGE_LOG_LEVEL).`, 'start');
  return text;
}

function nonEmpty(text: string, option: string): string {
  if (text.trim() === '') throw usage(`${option} needs a value.`, 'start');
  return text;
}

function usage(message: string, topic: 'main' | 'start' = 'main'): StartupError {
  const hint = topic === 'start' ? 'Run "loopedge start --help" for the options.' : 'Run "loopedge --help" for the commands.';
  return new StartupError('usage', `${message} ${hint}`);
}
