import { parseArgs } from 'node:util';
import { StartupError } from '../bootstrap/startup-error.js';
import { isRole, ROLES, type Role } from '@loopedge/security';
import { isLogLevel, LOG_LEVELS, type LogLevel } from '../logging/logger.js';

export interface StartOptions {
  flows?: string;
  data?: string;
  port?: number;
  host?: string;
  httpRedirectPort?: number;
  logLevel: LogLevel;
}

export interface UsersAddOptions {
  username: string;
  role: Role;
  data?: string;
}

export type CliCommand =
  | { kind: 'help'; topic: HelpTopic }
  | { kind: 'version' }
  | { kind: 'start'; options: StartOptions }
  | { kind: 'users-add'; options: UsersAddOptions }
  | { kind: 'update'; argv: string[] }
  | { kind: 'supervise'; argv: string[] };

export type HelpTopic = 'main' | 'start' | 'users' | 'update' | 'supervise';

export const COMMANDS = ['start', 'users', 'update', 'supervise'] as const;

/** Parses `loopedge <command> [options]`; a usage mistake throws a StartupError (exit 2). */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined) throw usage('No command given.');
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help', topic: rest[0] === 'start' || rest[0] === 'users' || rest[0] === 'update' || rest[0] === 'supervise' ? rest[0] : 'main' };
  if (first === '--version' || first === '-v' || first === '-V') return { kind: 'version' };
  if (first === 'start') return parseStart(rest, env);
  if (first === 'users') return parseUsers(rest);
  // update has several actions with their own options: parsed in update-command.ts.
  if (first === 'update') return rest.length === 0 || rest[0] === '--help' || rest[0] === '-h' || rest.includes('--help') ? { kind: 'help', topic: 'update' } : { kind: 'update', argv: rest };
  // supervise passes its start options on: checked in supervise-command.ts.
  if (first === 'supervise') return rest.includes('--help') || rest.includes('-h') ? { kind: 'help', topic: 'supervise' } : { kind: 'supervise', argv: rest };
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
        'http-redirect-port': { type: 'string' },
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
  if (values.port !== undefined) options.port = parsePort(values.port, '--port');
  // LOOPEDGE_PORT is the default: the update health check starts a release with LOOPEDGE_PORT=0, away from the live 1880.
  else if (env.LOOPEDGE_PORT !== undefined && env.LOOPEDGE_PORT !== '') options.port = parsePort(env.LOOPEDGE_PORT, 'LOOPEDGE_PORT');
  if (values['http-redirect-port'] !== undefined) options.httpRedirectPort = parsePort(values['http-redirect-port'], '--http-redirect-port');
  return { kind: 'start', options };
}

/** `loopedge users add --username U --role R [--data DIR]`; the password comes from stdin or a prompt. */
function parseUsers(argv: string[]): CliCommand {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') return { kind: 'help', topic: 'users' };
  if (action !== 'add') throw usage(`Unknown users action "${action}": only "add" exists.`, 'users');
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      allowPositionals: false,
      strict: true,
      options: {
        username: { type: 'string', short: 'u' },
        role: { type: 'string', short: 'r' },
        data: { type: 'string', short: 'd' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw usage(`${(error as Error).message}.`, 'users');
  }
  if (values.help) return { kind: 'help', topic: 'users' };
  if (values.username === undefined) throw usage('users add needs --username NAME.', 'users');
  const role = values.role ?? 'admin';
  if (!isRole(role)) throw usage(`--role must be one of ${ROLES.join(', ')}, got "${role}".`, 'users');
  const options: UsersAddOptions = { username: nonEmpty(values.username, '--username', 'users'), role };
  if (values.data !== undefined) options.data = nonEmpty(values.data, '--data', 'users');
  return { kind: 'users-add', options };
}

function parsePort(text: string, option: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`${option} must be a whole number from 0 to 65535, got "${text}".`, 'start');
  return port;
}

function parseLogLevel(text: string): LogLevel {
  if (!isLogLevel(text)) throw usage(`Log level "${text}" is not one of ${LOG_LEVELS.join(', ')} (from --log-level or LOOPEDGE_LOG_LEVEL).`, 'start');
  return text;
}

function nonEmpty(text: string, option: string, topic: HelpTopic = 'start'): string {
  if (text.trim() === '') throw usage(`${option} needs a value.`, topic);
  return text;
}

function usage(message: string, topic: HelpTopic = 'main'): StartupError {
  const hint = topic === 'main' ? 'Run "loopedge --help" for the commands.' : `Run "loopedge ${topic} --help" for the options.`;
  return new StartupError('usage', `${message} ${hint}`);
}
