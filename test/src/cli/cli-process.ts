import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The real `loopedge` entry point, as `npm start` and the bin link run it. */
export const CLI_PATH = join(dirname(createRequire(import.meta.url).resolve('@loopedge/server/package.json')), 'dist', 'cli', 'main.js');

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One spawned `loopedge` process with its output split into lines. Waits are
 * bounded (a generous limit so a broken build fails instead of hanging), never
 * used as timing assertions.
 */
export class CliProcess {
  readonly stdoutLines: string[] = [];
  readonly stderrLines: string[] = [];
  readonly exited: Promise<ExitResult>;
  #exit: ExitResult | undefined;
  readonly #child: ChildProcess;
  readonly #waiters = new Set<() => void>();

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.#child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#collect(this.#child.stdout!, this.stdoutLines);
    this.#collect(this.#child.stderr!, this.stderrLines);
    this.exited = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => {
        this.#exit = { code, signal };
        this.#notify();
        resolve(this.#exit);
      });
    });
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Every stdout line that is JSON, except the ready line: the debug "to system console" output. */
  get debugLines(): Array<Record<string, unknown>> {
    return this.#jsonLines().filter((line) => line.loopedge !== 'ready');
  }

  /** The `{"loopedge":"ready",...}` line printed once everything is up, if it came. */
  get readyLine(): Record<string, unknown> | undefined {
    return this.#jsonLines().find((line) => line.loopedge === 'ready');
  }

  #jsonLines(): Array<Record<string, unknown>> {
    return this.stdoutLines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** The pino log lines on stderr, parsed. */
  get logLines(): Array<Record<string, unknown>> {
    return this.stderrLines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** stderr lines that are not pino JSON: what the CLI says to a person (errors, the setup link). */
  get plainErrors(): string[] {
    return this.stderrLines.filter((line) => !line.startsWith('{'));
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.#child.kill(signal);
  }

  /** Resolves once `condition` holds (checked on every output line and on exit). */
  async waitUntil(what: string, condition: () => boolean, limitMs = 20_000): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`Gave up after ${limitMs} ms waiting for ${what}.\nstdout:\n${this.stdoutLines.join('\n')}\nstderr:\n${this.stderrLines.join('\n')}`));
      }, limitMs);
      const check = (): void => {
        if (condition()) {
          clearTimeout(timer);
          this.#waiters.delete(check);
          resolve();
        } else if (!this.running) {
          clearTimeout(timer);
          this.#waiters.delete(check);
          reject(new Error(`loopedge exited (${JSON.stringify(this.#exit)}) before ${what}.\nstdout:\n${this.stdoutLines.join('\n')}\nstderr:\n${this.stderrLines.join('\n')}`));
        }
      };
      this.#waiters.add(check);
    });
  }

  async waitForExit(limitMs = 20_000): Promise<ExitResult> {
    await this.waitUntil('the process to exit', () => !this.running, limitMs);
    return this.#exit!;
  }

  #collect(stream: NodeJS.ReadableStream, lines: string[]): void {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
      this.#notify();
    });
    stream.on('end', () => {
      if (rest) lines.push(rest);
      rest = '';
      this.#notify();
    });
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
