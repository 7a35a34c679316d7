/** How the split node cuts strings and buffers, decoded once from its config. */
export type Splitter =
  | { kind: 'str'; text: string }
  | { kind: 'bin'; bytes: number[]; buffer: Buffer }
  | { kind: 'len'; length: number };

/**
 * Node-RED's escape handling for separators typed in the editor: `\n`, `\r`,
 * `\t`, `\f`, `\0`; and `\e`, which Node-RED turns into a plain "e" (its source
 * writes "\e" in a JavaScript string, which is just "e").
 */
export function unescapeSeparator(text: string): string {
  return text
    .replace(/\\n/g, '\n')
    .replace(/\\r/g, '\r')
    .replace(/\\t/g, '\t')
    .replace(/\\e/g, 'e')
    .replace(/\\f/g, '\f')
    .replace(/\\0/g, '\0');
}

/** Decode `splt`/`spltType`; a bad value is a configuration error naming the node and field. */
export function parseSplitter(nodeId: string, type: string, splt: string | number | undefined): Splitter {
  const fail = (why: string): never => {
    throw new Error(`split node ${nodeId}: invalid split property "${splt}" (field splt): ${why}`);
  };
  if (type === 'bin') {
    let bytes: unknown;
    try {
      bytes = JSON.parse(String(splt));
    } catch {
      return fail('expected a JSON array of byte values such as [13,10]');
    }
    if (!Array.isArray(bytes) || bytes.length === 0 || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
      return fail('expected a non-empty JSON array of byte values such as [13,10]');
    }
    return { kind: 'bin', bytes: bytes as number[], buffer: Buffer.from(bytes as number[]) };
  }
  if (type === 'len') {
    const length = parseInt(String(splt), 10);
    if (Number.isNaN(length) || length < 1) fail('the length must be a whole number of 1 or more');
    return { kind: 'len', length };
  }
  return { kind: 'str', text: unescapeSeparator(String(splt || '\\n')) };
}
