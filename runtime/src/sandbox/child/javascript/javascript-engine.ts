/**
 * The JavaScript language engine of the sandbox process: one isolated-vm
 * isolate per function node (see javascript-unit.ts). isolated-vm is loaded by
 * the path the supervisor passes in, so the process needs read access to that
 * package only.
 */
import { createRequire } from 'node:module';
import type IsolatedVM from 'isolated-vm';
import type { LanguageEngine, UserCodeHost, UserCodeSpec, UserCodeUnit } from '../language-engine.js';
import { createValueCodec } from '../../value-codec.js';
import { createIsolateBuffer } from './isolate-buffer.js';
import { createByteEncodings } from './isolate-encodings.js';
import { createContextApi } from './isolate-context-api.js';
import { createIsolateUtilities } from './isolate-utilities.js';
import { createIsolateTimers } from './isolate-timers.js';
import { createErrorText } from './isolate-error-text.js';
import { parseRunBatchIds } from './run-batch-ids.js';
import { bootstrapSource } from './isolate-bootstrap.js';
import { JavaScriptUnit, type JavaScriptLimits } from './javascript-unit.js';

export interface JavaScriptEngineOptions {
  /** Absolute path of the isolated-vm package (default: resolved from here). */
  isolatedVmPath?: string;
  /** Per-message time limit when a node's timeout is 0. */
  defaultTimeoutMs: number;
  /** Memory cap of one isolate when the node gives none. */
  defaultMemoryLimitMb: number;
  limits: JavaScriptLimits;
}

/** isolated-vm refuses less than 8 MB; user code needs some room besides the API. */
const MIN_MEMORY_MB = 16;

export class JavaScriptEngine implements LanguageEngine {
  readonly language = 'javascript' as const;
  readonly #ivm: typeof IsolatedVM;
  readonly #bootstrap: string;

  constructor(readonly options: JavaScriptEngineOptions) {
    const require = createRequire(import.meta.url);
    this.#ivm = require(options.isolatedVmPath ?? 'isolated-vm') as typeof IsolatedVM;
    this.#bootstrap = bootstrapSource({
      createValueCodec: createValueCodec.toString(),
      createIsolateBuffer: createIsolateBuffer.toString(),
      createByteEncodings: createByteEncodings.toString(),
      createContextApi: createContextApi.toString(),
      createIsolateUtilities: createIsolateUtilities.toString(),
      createIsolateTimers: createIsolateTimers.toString(),
      createErrorText: createErrorText.toString(),
      parseRunBatchIds: parseRunBatchIds.toString(),
    });
  }

  async create(spec: UserCodeSpec, host: UserCodeHost): Promise<UserCodeUnit> {
    const unit = new JavaScriptUnit(spec, host, {
      ivm: this.#ivm,
      bootstrap: this.#bootstrap,
      timeoutMs: spec.timeoutMs > 0 ? spec.timeoutMs : this.options.defaultTimeoutMs,
      memoryLimitMb: Math.max(MIN_MEMORY_MB, spec.memoryLimitMb > 0 ? spec.memoryLimitMb : this.options.defaultMemoryLimitMb),
      limits: this.options.limits,
    });
    await unit.start();
    return unit;
  }
}
