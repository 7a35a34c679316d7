// Test helpers for other packages' tests (test/): `@loopedge/server/testing`.
export { ApiClient, type ApiResponse, type RequestExtras } from './api-client.js';
export { TestAdmin, strongPassword, type TestAdminOptions, type TestUser } from './test-admin.js';
export { connectLive, waitForEvent, type LiveConnection } from './live-client.js';
export { totpCode, base32Decode } from './totp.js';
