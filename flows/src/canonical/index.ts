export { canonicalize, CanonicalizationError } from './canonicalize.js';
export { jsonEqual, jsonEqualExcept } from './json-equal.js';
