/**
 * Facts about a function node's source text, found without running it.
 */

/**
 * Node-RED's rule for completion: when the code contains `node.done()` and
 * really calls `node.done(...)` (not only in a comment or a string), the
 * message is complete only when the code calls it; otherwise when the
 * function returns. Node-RED confirms with a parser; a scanner that blanks out
 * comments and string literals gives the same answer for real code.
 */
export function usesNodeDone(code: string): boolean {
  if (!/node\.done\s*\(\s*\)/.test(code)) return false;
  return /\bnode\s*\.\s*done\s*\(/.test(withoutCommentsAndStrings(code));
}

function withoutCommentsAndStrings(code: string): string {
  let out = '';
  let i = 0;
  while (i < code.length) {
    const c = code[i]!;
    const next = code[i + 1];
    if (c === '/' && next === '/') {
      const end = code.indexOf('\n', i);
      i = end === -1 ? code.length : end;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = code.indexOf('*/', i + 2);
      i = end === -1 ? code.length : end + 2;
      out += ' ';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < code.length && code[i] !== c) i += code[i] === '\\' ? 2 : 1;
      i++;
      out += '""';
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

/** Where a compile error points: V8 via isolated-vm ends its message with ` [file:line:column]`. */
export function compileErrorPosition(message: string): { text: string; line?: number; column?: number } {
  const match = /^(.*?)\s*\[[^\]]*:(\d+):(\d+)\]$/s.exec(message);
  if (!match) return { text: message };
  return { text: match[1]!, line: Number(match[2]), column: Number(match[3]) };
}
