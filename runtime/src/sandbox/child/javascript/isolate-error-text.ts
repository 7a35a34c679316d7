/**
 * Turning what user code logs or throws into text and data inside an isolate:
 * values shown as JSON (capped), errors as name, message, a stack trimmed to
 * the user's own frames, and the line and column they point to. Getters and
 * odd objects run here, in the isolate, never in the runtime.
 *
 * Self-contained: injected into each isolate as source text by the bootstrap.
 */
export interface ErrorDescription {
  name: string;
  message: string;
  stack?: string;
  line?: number;
  column?: number;
}

export function createErrorText(options: { filename: string; maxLogChars: number; clone(value: unknown): unknown }): {
  textOf(value: unknown): string;
  errorInfo(error: unknown): ErrorDescription;
} {
  const { filename, maxLogChars, clone } = options;
  const stringify = JSON.stringify;
  const hasOwn = Object.prototype.hasOwnProperty;
  const ErrorCtor = Error;

  function textOf(value: unknown): string {
    let text: string;
    try {
      if (typeof value === 'string') text = value;
      else if (value instanceof ErrorCtor) text = String(value);
      else if (value === undefined) text = 'undefined';
      else if (typeof value === 'object' && value !== null) text = stringify(clone(value)) ?? String(value);
      else text = String(value);
    } catch {
      text = '[value that cannot be shown]';
    }
    return text.length > maxLogChars ? `${text.slice(0, maxLogChars)}… (${text.length - maxLogChars} more characters)` : text;
  }

  /** An error as data. Strings stay strings (name ''), as Node-RED reports them. */
  function errorInfo(error: unknown): ErrorDescription {
    try {
      if (typeof error === 'object' && error !== null && hasOwn.call(error, 'stack')) {
        const record = error as { name?: unknown; message?: unknown; stack?: unknown };
        const name = String(record.name ?? 'Error') || 'Error';
        let message = String(record.message ?? '');
        const stack = userStack(String(record.stack ?? ''));
        const position = /:(\d+):(\d+)\)?$/.exec(stack.split('\n')[1] ?? '');
        const info: ErrorDescription = { name, message, stack };
        if (position) {
          info.line = Number(position[1]);
          info.column = Number(position[2]);
          // Node-RED names the place of a ReferenceError in its message.
          if (name === 'ReferenceError') message = `${stack.split('\n')[0]} (line ${info.line}, col ${info.column})`;
        }
        info.message = message;
        return info;
      }
      if (typeof error === 'string') return { name: '', message: error };
      return { name: '', message: stringify(error) ?? String(error) };
    } catch {
      return { name: '', message: 'The function failed with an error that cannot be shown' };
    }
  }

  /** Keep the error line and the frames in the user's own code: the rest is the sandbox's business. */
  function userStack(stack: string): string {
    const lines = stack.split('\n');
    const kept = [lines[0] ?? ''];
    for (let i = 1; i < lines.length; i++) if (lines[i]!.indexOf(filename) !== -1) kept.push(lines[i]!);
    return kept.join('\n');
  }

  return { textOf, errorInfo };
}
