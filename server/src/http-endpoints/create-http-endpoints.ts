import type { Logger } from '@loopedge/runtime';
import { StartupError } from '../bootstrap/startup-error.js';
import { HttpEndpointServer } from './http-endpoint-server.js';
import { parseHttpEndpointSettings } from './http-endpoint-settings.js';

/** The endpoint service from settings.json; a bad setting stops the start with a StartupError naming it. */
export function createHttpEndpoints(runtimeSettings: Readonly<Record<string, unknown>>, logger: Logger): HttpEndpointServer {
  try {
    return new HttpEndpointServer(parseHttpEndpointSettings(runtimeSettings), logger);
  } catch (error) {
    throw new StartupError('settings-invalid', (error as Error).message);
  }
}
