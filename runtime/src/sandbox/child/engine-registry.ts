/**
 * Which language engine runs which node, loaded on first use so the sandbox
 * process pays for Pyodide only when a Python node is deployed. A language
 * engine registers here with one entry: how to build it from the options.
 */
import type { LanguageEngine } from './language-engine.js';
import type { SandboxLanguage } from '../protocol.js';
import type { JavaScriptLimits } from './javascript/javascript-unit.js';

export interface EngineOptions {
  isolatedVmPath?: string;
  defaultTimeoutMs: number;
  defaultMemoryLimitMb: number;
  limits: JavaScriptLimits;
}

type EngineLoader = (options: EngineOptions) => Promise<LanguageEngine>;

const loaders: Record<SandboxLanguage, EngineLoader> = {
  javascript: async (options) => {
    const { JavaScriptEngine } = await import('./javascript/javascript-engine.js');
    return new JavaScriptEngine(options);
  },
  python: async (options) => {
    // Imported by path: the Python engine is its own module (runtime/src/sandbox/python/).
    const modulePath = new URL('../python/python-engine.js', import.meta.url).href;
    const { PythonEngine } = (await import(modulePath)) as { PythonEngine: new (options: object) => LanguageEngine };
    return new PythonEngine({
      defaultTimeoutMs: options.defaultTimeoutMs,
      limits: {
        maxValueBytes: options.limits.maxValueBytes,
        maxSends: options.limits.maxSendsPerMessage,
        maxLogs: options.limits.maxLogsPerMessage,
        maxLogChars: options.limits.maxLogChars,
      },
    });
  },
};

export const LANGUAGES = Object.keys(loaders) as SandboxLanguage[];

export class EngineRegistry {
  readonly #engines = new Map<SandboxLanguage, Promise<LanguageEngine>>();

  constructor(readonly options: EngineOptions) {}

  get(language: SandboxLanguage): Promise<LanguageEngine> {
    let engine = this.#engines.get(language);
    if (!engine) {
      const loader = loaders[language];
      if (!loader) return Promise.reject(new Error(`The sandbox has no engine for ${String(language)}`));
      engine = loader(this.options);
      // A failed load is retried by the next node rather than cached forever.
      engine.catch(() => this.#engines.delete(language));
      this.#engines.set(language, engine);
    }
    return engine;
  }
}
