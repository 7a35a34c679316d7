// `loopedge supervise [--data DIR] [--health-timeout S] [start options...]`:
// the process a service manager runs. It keeps `loopedge start` running from
// DATA/releases/current (see updates/release-supervisor.ts) and ends when told
// to stop (SIGTERM/SIGINT), with the child's exit code.
import { fileURLToPath } from 'node:url';
import { openSecurity } from '@loopedge/security';
import { ensureDataDir, resolveDataDir } from '../bootstrap/data-dir.js';
import { engineHeapFlags } from '../bootstrap/engine-heap.js';
import { StartupError } from '../bootstrap/startup-error.js';
import { ReleaseSupervisor, type RollbackAudit } from '../updates/release-supervisor.js';
import { parseCliArgs } from './args.js';
import type { CliIo } from './run-cli.js';

export interface SuperviseOptions {
  /** where the supervisor's signals come from; default process */
  processEvents?: NodeJS.EventEmitter;
}

export async function runSuperviseCommand(argv: readonly string[], io: CliIo, options: SuperviseOptions = {}): Promise<number> {
  const { data, healthTimeoutMs, startArgs } = splitArgs(argv);
  // The start options are checked here, so a typo fails at once instead of in a restart loop.
  const parsed = parseCliArgs(['start', ...startArgs], io.env);
  if (parsed.kind === 'help') throw new StartupError('usage', 'Run "loopedge supervise --help" for the options.');
  const nodeArgs = engineHeapFlags(io.env);
  const dataDir = resolveDataDir(data, io.env);
  ensureDataDir(dataDir);
  const log = (level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void => {
    io.stderr(`${JSON.stringify({ level, time: Date.now(), name: 'supervisor', msg, ...fields })}\n`);
  };
  const supervisor = new ReleaseSupervisor({
    dataDir,
    startArgs: ['--data', dataDir, ...startArgs],
    nodeArgs,
    fallbackEntry: fileURLToPath(new URL('./main.js', import.meta.url)),
    env: io.env,
    ...(healthTimeoutMs !== undefined ? { healthDeadlineMs: healthTimeoutMs } : {}),
    onChildLine: (line) => io.stdout(`${line}\n`),
    log,
    auditRollback: (entry) => auditRollback(dataDir, entry),
  });
  const events = options.processEvents ?? process;
  const onSignal = (signal: NodeJS.Signals): void => {
    log('info', 'Stopping: signal forwarded to LoopEdge', { signal });
    supervisor.stop(signal);
  };
  events.on('SIGTERM', onSignal);
  events.on('SIGINT', onSignal);
  try {
    return await supervisor.run();
  } finally {
    events.off('SIGTERM', onSignal);
    events.off('SIGINT', onSignal);
  }
}

/** Opened only for the moment of the entry: the child has the security store open the rest of the time. */
async function auditRollback(dataDir: string, entry: RollbackAudit): Promise<void> {
  const security = await openSecurity({ dataDir });
  try {
    security.audit.append({ actor: 'system', action: 'update.rollback', target: entry.failed, outcome: 'success', details: { from: entry.failed, to: entry.restored, reason: entry.reason, by: 'supervisor' } });
  } finally {
    security.close();
  }
}

function splitArgs(argv: readonly string[]): { data: string | undefined; healthTimeoutMs: number | undefined; startArgs: string[] } {
  let data: string | undefined;
  let healthTimeoutMs: number | undefined;
  const startArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--data' || name === '-d' || name === '--health-timeout') {
      const value = inline ?? argv[++i];
      if (value === undefined || value.trim() === '') throw usage(`${name} needs a value.`);
      if (name === '--health-timeout') {
        const seconds = Number(value);
        if (!Number.isFinite(seconds) || seconds <= 0) throw usage(`--health-timeout must be a positive number of seconds, got "${value}".`);
        healthTimeoutMs = seconds * 1000;
      } else {
        data = value;
      }
    } else {
      startArgs.push(arg);
    }
  }
  return { data, healthTimeoutMs, startArgs };
}

function usage(message: string): StartupError {
  return new StartupError('usage', `${message} Run "loopedge supervise --help" for the options.`);
}
