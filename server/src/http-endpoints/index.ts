export { HttpEndpointServer, ENDPOINT_PERMISSION } from './http-endpoint-server.js';
export { parseHttpEndpointSettings, DEFAULT_HTTP_ENDPOINT_SETTINGS, type HttpEndpointSettings } from './http-endpoint-settings.js';
export { mountHttpEndpoints } from './mount-http-endpoints.js';
export { createHttpEndpoints } from './create-http-endpoints.js';
