import { formatProblem } from '@loopedge/flows';
import { coreNodeTypes } from '@loopedge/nodes';
import { createRuntime, type AnyNodeTypeDefinition, type Logger, type Runtime } from '@loopedge/runtime';
import { openContextStores } from './context-stores.js';
import { ensureDataDir, resolveDataDir } from './data-dir.js';
import { resolveFlowSource, type FlowSource } from './flow-source.js';
import { readJsonFile } from './read-json-file.js';
import { loadServerSettings } from './settings.js';
import { StartupError } from './startup-error.js';

export interface StartServerOptions {
  flows?: string;
  data?: string;
  port?: number;
  host?: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Node types to run; the built-in ones by default. */
  nodeTypes?: readonly AnyNodeTypeDefinition[];
}

export interface RunningServer {
  readonly runtime: Runtime;
  readonly dataDir: string;
  readonly flowSource: FlowSource;
  /** Closes every node (each bounded by the runtime's close timeout) and the context stores. */
  stop(): Promise<void>;
}

/**
 * From arguments to running flows. Everything that can be wrong with the
 * person's input is checked before the first node starts; a StartupError says
 * what and where (exit code 2 for input, 1 otherwise).
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { logger } = options;

  // 1. Data folder and settings.
  const dataDir = resolveDataDir(options.data, options.env);
  const { created } = ensureDataDir(dataDir);
  const settings = loadServerSettings(dataDir);
  logger.info({ dataDir, created, settings: settings.source }, 'Data folder ready');

  // 2. Flow file: read and parse before opening anything that must be closed again.
  const flowSource = resolveFlowSource(options.flows, dataDir);
  if (flowSource.origin === 'demo') {
    logger.info({ flows: flowSource.path }, 'First start: no flows.json, wrote the demo flow (a simulated machine). Edit it or pass --flows FILE');
  }
  const doc = readJsonFile(flowSource.path, 'flows-bad-json', 'Flow file');

  // 3. Runtime with the configured context stores.
  const contextStorage = openContextStores(settings.contextStorage);
  const runtime = createRuntime({
    nodeTypes: options.nodeTypes ?? coreNodeTypes,
    logger,
    contextStorage,
    env: options.env,
    settings: settings.runtimeSettings,
  });

  // 4. Validate (structure, unknown types, each node's properties), then deploy.
  const problems = runtime.validate(doc);
  if (problems.length > 0) {
    await runtime.stop();
    throw invalidFlows(flowSource.path, problems.map(formatProblem));
  }
  const result = await runtime.deploy(doc, { type: 'full' });
  if (!result.ok) {
    await runtime.stop();
    if (result.problems.length > 0) throw invalidFlows(flowSource.path, result.problems.map(formatProblem));
    const where = result.failedNode ? ` (node ${result.failedNode})` : '';
    throw new StartupError('runtime-failed', `The flows in ${flowSource.path} failed to start${where}: ${result.error ?? 'unknown error'}`);
  }
  logger.info({ flows: flowSource.path, origin: flowSource.origin, nodes: result.started, contextStores: settings.contextStorage.stores.map((s) => s.name) }, 'Flows running');

  // 5. The admin API is a later issue; say so rather than ignore the options silently.
  if (options.port !== undefined || options.host !== undefined) {
    logger.warn({ port: options.port, host: options.host }, 'The admin API is not part of this build yet: --port and --host are accepted but nothing listens');
  }

  return {
    runtime,
    dataDir,
    flowSource,
    stop: () => runtime.stop(),
  };
}

function invalidFlows(path: string, lines: string[]): StartupError {
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  return new StartupError('flows-invalid', `Flow file ${path} has ${count}; nothing was started. Fix these and start again:`, lines);
}
