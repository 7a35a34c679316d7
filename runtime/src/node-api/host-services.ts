// Services the engine needs from outside (DESIGN.md: "an interface declared in
// runtime/ and implemented in server/"). The server passes its implementations
// as `RuntimeOptions.host`; tests pass in-memory ones. A node that needs one
// checks that it is there and fails its deploy with a clear error otherwise.
//
// Each service's interface lives in its own file beside this one; add one
// optional property per service here.

import type { HttpEndpointsService } from './http-endpoints.js';
import type { AlertService } from './alerts.js';

export interface HostServices {
  /** marker so the interface is never empty; services are added as optional properties below */
  readonly kind?: 'loopedge-host';
  /** Alert state, history and change events (the `alert` node; system alerts). */
  alerts?: AlertService;
  /** HTTP endpoints served by `http in` nodes (the server's HTTPS listener). */
  httpEndpoints?: HttpEndpointsService;
}
