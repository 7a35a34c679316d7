/**
 * Why `loopedge` could not start, with the exit code to leave with.
 * Exit code 2 means the input (arguments, flow file, settings) is wrong and the
 * person must fix it; 1 means something failed that is not their input.
 */
export type StartupErrorCode =
  | 'usage'
  | 'flows-not-found'
  | 'flows-unreadable'
  | 'flows-bad-json'
  | 'flows-invalid'
  | 'settings-bad-json'
  | 'settings-invalid'
  | 'data-dir-unusable'
  | 'runtime-failed'
  | 'admin-listen-failed';

const EXIT_CODES: Record<StartupErrorCode, number> = {
  usage: 2,
  'flows-not-found': 2,
  'flows-unreadable': 2,
  'flows-bad-json': 2,
  'flows-invalid': 2,
  'settings-bad-json': 2,
  'settings-invalid': 2,
  'data-dir-unusable': 1,
  'runtime-failed': 1,
  'admin-listen-failed': 1,
};

export class StartupError extends Error {
  readonly exitCode: number;

  /**
   * @param details extra lines printed under the message (one per flow problem).
   */
  constructor(
    readonly code: StartupErrorCode,
    message: string,
    readonly details: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StartupError';
    this.exitCode = EXIT_CODES[code];
  }
}
