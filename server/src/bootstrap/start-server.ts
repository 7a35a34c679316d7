import { join } from 'node:path';
import { flowEnvironment } from './flow-environment.js';
import { formatProblem } from '@loopedge/flows';
import { coreNodeTypes } from '@loopedge/nodes';
import { createRuntime, type AnyNodeTypeDefinition, type Logger, type Runtime } from '@loopedge/runtime';
import { startAdmin, type RunningAdmin } from './admin-bootstrap.js';
import { openContextStores } from './context-stores.js';
import { ensureDataDir, resolveDataDir } from './data-dir.js';
import { resolveFlowSource, type FlowSource } from './flow-source.js';
import { readJsonFile } from './read-json-file.js';
import { loadServerSettings } from './settings.js';
import { StartupError } from './startup-error.js';
import { startConfiguredDatahub, startDatahubTls } from '../datahub/start-datahub.js';
import { ALERTS_DATABASE_FILE, SqliteAlertService } from '../alerts/sqlite-alert-service.js';
import { watchHeap } from './heap-watch.js';
import { createHttpEndpoints } from '../http-endpoints/create-http-endpoints.js';

export interface StartServerOptions {
  flows?: string;
  data?: string;
  port?: number;
  /** Admin API address; loopback by default. */
  host?: string;
  /** A plain HTTP port that only redirects to the admin API. */
  httpRedirectPort?: number;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Node types to run; the built-in ones by default. */
  nodeTypes?: readonly AnyNodeTypeDefinition[];
  /** bcrypt cost for passwords (12 by default, never below 10; tests use 10). */
  bcryptCost?: number;
  /** Clock for tokens and lockouts (tests move time). */
  clock?: () => number;
  /** Lines for the person at the terminal (the first-start setup link); stderr in the CLI. */
  announce?: (text: string) => void;
  /** Version reported by the admin API. */
  version?: string;
}

export interface RunningServer {
  readonly runtime: Runtime;
  readonly dataDir: string;
  readonly flowSource: FlowSource;
  /** The admin API (absent when no port was given: flows only, for embedding and tests). */
  readonly admin: RunningAdmin | undefined;
  /** Closes the admin API, then every node (each bounded by the runtime's close timeout) and the context stores. */
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
  // Endpoint settings are checked before anything opens (a bad one stops the start cleanly).
  const httpEndpoints = createHttpEndpoints(settings.runtimeSettings, logger);
  // The DataHub broker (when configured) runs before the nodes that talk to it.
  const { datahub, settings: runtimeSettings } = await startConfiguredDatahub(settings.runtimeSettings, dataDir, logger, { env: options.env, ...(options.bcryptCost !== undefined ? { bcryptCost: options.bcryptCost } : {}) });
  const contextStorage = openContextStores(settings.contextStorage);
  // Alerts and their history (alerts.sqlite): alert nodes and the API share this one service.
  const alerts = new SqliteAlertService({ path: join(dataDir, ALERTS_DATABASE_FILE), onListenerError: (error) => logger.error({ err: error }, 'An alert listener failed; the alert itself is stored') });
  // Credentials live in the security store, which the admin API opens below;
  // nodes read theirs when they start, which is after that.
  let admin: RunningAdmin | undefined;
  const runtime = createRuntime({
    credentials: { get: (nodeId) => admin?.security.credentials.get(nodeId) ?? {} },
    nodeTypes: options.nodeTypes ?? coreNodeTypes,
    logger,
    contextStorage,
    env: flowEnvironment(options.env),
    // Folders nodes keep their own files in live under the data folder (the OPC UA
    // client certificate servers must trust); settings.json may point elsewhere.
    settings: { opcuaPkiDir: join(dataDir, 'opcua-pki'), ...runtimeSettings },
    host: { httpEndpoints, alerts },
  });

  // 4. Validate (structure, unknown types, each node's properties) before anything listens or runs.
  const problems = runtime.validate(doc);
  if (problems.length > 0) {
    await runtime.stop();
    await datahub?.stop();
    alerts.close();
    throw invalidFlows(flowSource.path, problems.map(formatProblem));
  }

  // 5. The admin API (HTTPS, users, live events), when a port is given. It
  //    starts before the flows, so the process is fully up once they run.
  if (options.port !== undefined) {
    try {
      admin = await startAdmin({
        dataDir,
        host: options.host ?? '127.0.0.1',
        port: options.port,
        ...(options.httpRedirectPort !== undefined ? { httpRedirectPort: options.httpRedirectPort } : {}),
        runtime,
        flowFile: flowSource.path,
        logger,
        version: options.version ?? '0.0.0',
        ...(options.bcryptCost !== undefined ? { bcryptCost: options.bcryptCost } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        announce: options.announce ?? ((text) => process.stderr.write(text)),
      });
    } catch (error) {
      await runtime.stop();
      await datahub?.stop();
      alerts.close();
      throw error;
    }
  } else if (options.host !== undefined || options.httpRedirectPort !== undefined) {
    logger.warn({ host: options.host }, '--host and --http-redirect-port need --port: the admin API is off');
  }
  await startDatahubTls(datahub, admin?.security.certificates, logger);

  // Alert changes go to editors (toast, alerts panel) with the alert's own permission row.
  if (admin) {
    const live = admin.server.live;
    alerts.onChange((change) => live.publish('alert', change));
  }

  // 6. Deploy.
  //    With signed flows required, a flow file that is not the last signed version does not run (admin-bootstrap).
  const result = await runtime.deploy(admin?.startFlows ?? doc, { type: 'full' });
  if (!result.ok) {
    await admin?.stop();
    await runtime.stop();
    await datahub?.stop();
    alerts.close();
    if (result.problems.length > 0) throw invalidFlows(flowSource.path, result.problems.map(formatProblem));
    const where = result.failedNode ? ` (node ${result.failedNode})` : '';
    throw new StartupError('runtime-failed', `The flows in ${flowSource.path} failed to start${where}: ${result.error ?? 'unknown error'}`);
  }
  logger.info({ flows: flowSource.path, origin: flowSource.origin, nodes: result.started, contextStores: settings.contextStorage.stores.map((s) => s.name) }, 'Flows running');
  // An alert well before the heap limit (engine-heap.ts) would stop the process.
  const stopHeapWatch = watchHeap(alerts, logger);

  return {
    runtime,
    dataDir,
    flowSource,
    admin,
    async stop() {
      // The API first: no deploy may start while the nodes are closing.
      httpEndpoints.close();
      stopHeapWatch();
      await admin?.stop();
      await runtime.stop();
      await datahub?.stop();
      alerts.close();
    },
  };
}

function invalidFlows(path: string, lines: string[]): StartupError {
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  return new StartupError('flows-invalid', `Flow file ${path} has ${count}; nothing was started. Fix these and start again:`, lines);
}
