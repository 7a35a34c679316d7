import { readFileSync } from 'node:fs';
import { parseJsonText } from './json-text.js';
import { StartupError, type StartupErrorCode } from './startup-error.js';

/**
 * Reads and parses a JSON file; a syntax error names the file, line and column
 * (`flows.json:12:5: expected ',' ...`) so an editor can jump to it.
 */
export function readJsonFile(path: string, badJsonCode: StartupErrorCode, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StartupError('flows-not-found', `${what} ${path} does not exist`, [], { cause: error });
    throw new StartupError('flows-unreadable', `Cannot read ${what} ${path}: ${(error as Error).message}`, [], { cause: error });
  }
  const parsed = parseJsonText(text);
  if (parsed.ok) return parsed.value;
  const { line, column, reason } = parsed.problem;
  throw new StartupError(badJsonCode, `${what} is not valid JSON: ${path}:${line}:${column}: ${reason}`);
}
