export { validateFlowDocument } from './validate-flow-document.js';
export { missingTypes } from './missing-types.js';
export { formatProblem } from './format-problem.js';
export { FORBIDDEN_KEYS } from './scan-values.js';
export {
  DEFAULT_VALIDATION_LIMITS,
  type ValidationLimits,
  type ValidationOptions,
  type ValidationResult,
} from './validation-options.js';
