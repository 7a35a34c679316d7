/**
 * Each engine is measured in its own forked process so that the heap, JIT
 * state and loaded modules of one engine cannot colour the other's numbers,
 * and so that peak RSS belongs to one engine only.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a child sends back over IPC: its result, or why it failed. */
export type ChildReply<T> = { ok: true; result: T } | { ok: false; error: string };

/**
 * Flags shared by every benchmark child: `--expose-gc` lets rounds start from
 * a collected heap, identically for both engines.
 */
const CHILD_EXEC_ARGV = ['--expose-gc'];

/**
 * Runs `workerModule` (a path relative to this file's folder in dist/, e.g.
 * `./throughput-worker.js`) with `args` and resolves with the result it sent.
 */
export function runInChild<T>(workerModule: string, args: readonly string[], timeoutMs: number): Promise<T> {
  const modulePath = fileURLToPath(new URL(workerModule, import.meta.url));
  return new Promise<T>((resolve, reject) => {
    const child = fork(modulePath, [...args], { execArgv: CHILD_EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: ChildReply<T> | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${workerModule} ${args.join(' ')} did not finish within ${timeoutMs} ms; it was killed. Run it alone to see where it stalls.`));
    }, timeoutMs);
    child.on('message', (message: ChildReply<T>) => {
      reply = message;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (reply?.ok) resolve(reply.result);
      else if (reply) reject(new Error(`${workerModule} ${args.join(' ')} failed: ${reply.error}`));
      else reject(new Error(`${workerModule} ${args.join(' ')} exited (code ${code}, signal ${signal}) without a result.`));
    });
  });
}

/**
 * The child's side: runs `work`, sends its result (or error) to the parent
 * and exits, so that engines that leave handles open cannot hang the run.
 */
export async function replyToParent<T>(work: () => Promise<T>): Promise<void> {
  let reply: ChildReply<T>;
  try {
    reply = { ok: true, result: await work() };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  if (!process.send) {
    console.log(JSON.stringify(reply, null, 2));
    process.exit(reply.ok ? 0 : 1);
  }
  process.send(reply, () => process.exit(reply.ok ? 0 : 1));
}

/** Runs a collection if the child was started with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}
