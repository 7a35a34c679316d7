/**
 * Building one isolate for a function node: a fresh isolated-vm isolate with
 * its memory cap, the bootstrap (the function API), and the user's three
 * parts compiled with script names and line offsets so that stack traces and
 * syntax errors point into the user's own lines.
 */
import type IsolatedVM from 'isolated-vm';
import type { UserCodeCompileError, UserCodeSpec } from '../language-engine.js';
import type { BootstrapConfig, EntryOp } from './isolate-bootstrap.js';
import type { HostRequestHandler } from './host-requests.js';
import { compileErrorPosition } from './source-checks.js';

/** A live isolate: the entry function is the only way in. */
export interface IsolateInstance {
  isolate: IsolatedVM.Isolate;
  entry: IsolatedVM.Reference;
}

export type CompileFailure = UserCodeCompileError & { compileError: true };

/** Setting up must not hang on hostile code: compiling and installing are bounded too. */
const SETUP_TIMEOUT_MS = 5000;

export async function createIsolateInstance(
  ivm: typeof IsolatedVM,
  options: { memoryLimitMb: number; bootstrap: string; config: BootstrapConfig; spec: UserCodeSpec; host: HostRequestHandler },
): Promise<IsolateInstance> {
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryLimitMb });
  try {
    const context = await isolate.createContext();
    const hostRef = new ivm.Reference(options.host);
    const entry = (await context.evalClosure(options.bootstrap, [hostRef, JSON.stringify(options.config)], {
      filename: 'loopedge-sandbox-bootstrap',
      result: { reference: true },
      timeout: SETUP_TIMEOUT_MS,
    })) as IsolatedVM.Reference;
    const { spec, config } = options;
    const compiled = await Promise.all([
      compilePart(isolate, context, config.filename, 'func', spec.func, '(async function (msg, node) {\n', '\n})'),
      spec.initialize.trim() ? compilePart(isolate, context, config.filename, 'initialize', spec.initialize, '(async function (node) {\n', '\n})') : undefined,
      spec.finalize.trim() ? compilePart(isolate, context, config.filename, 'finalize', spec.finalize, '(function (node) {\n', '\n})') : undefined,
    ]);
    await entry.apply(undefined, ['code' satisfies EntryOp, ...compiled.map((ref) => ref?.derefInto())], { timeout: SETUP_TIMEOUT_MS });
    return { isolate, entry };
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}

/** The user's code wrapped on its own first line, so `lineOffset: -1` makes line numbers the user's. */
async function compilePart(
  isolate: IsolatedVM.Isolate,
  context: IsolatedVM.Context,
  filename: string,
  part: UserCodeCompileError['part'],
  code: string,
  head: string,
  tail: string,
): Promise<IsolatedVM.Reference> {
  let script: IsolatedVM.Script;
  try {
    script = await isolate.compileScript(head + code + tail, { filename: filename + (part === 'func' ? '' : ` ${part}`), lineOffset: -1 });
  } catch (error) {
    const { text, line, column } = compileErrorPosition((error as Error).message);
    const name = (error as Error).name || 'SyntaxError';
    const where = part === 'func' ? 'body' : part === 'initialize' ? 'setup' : 'cleanup';
    const failure: CompileFailure = {
      message: `${name}: ${text}${line !== undefined ? ` (${where}: line ${line}, column ${column})` : ''}`,
      part,
      compileError: true,
      ...(line !== undefined ? { line, column } : {}),
    };
    throw failure;
  }
  return (await script.run(context, { reference: true, timeout: SETUP_TIMEOUT_MS, release: true })) as IsolatedVM.Reference;
}

export function isCompileFailure(error: unknown): error is CompileFailure {
  return typeof error === 'object' && error !== null && (error as { compileError?: boolean }).compileError === true;
}

export function disposeQuietly(isolate: IsolatedVM.Isolate | undefined): void {
  if (!isolate || isolate.isDisposed) return;
  try {
    isolate.dispose();
  } catch {
    // already gone
  }
}
