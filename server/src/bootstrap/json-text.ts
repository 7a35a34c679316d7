/**
 * JSON parsing that says where a file is broken. V8's JSON.parse gives a
 * position for some errors and none for others ("Unexpected token 'x'"), so on
 * failure a small scanner walks the text to find the first bad character.
 * The scanner only runs after JSON.parse has failed: the happy path is V8's.
 */

export interface JsonSyntaxProblem {
  /** 1-based line and column of the first character that makes the text invalid. */
  line: number;
  column: number;
  reason: string;
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; problem: JsonSyntaxProblem };

const BYTE_ORDER_MARK = '\uFEFF';

export function parseJsonText(text: string): JsonParseResult {
  // Editors on Windows often save a byte order mark, which JSON.parse rejects.
  const body = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const fallback = error instanceof Error ? error.message : String(error);
    const found = findJsonSyntaxError(body);
    const offset = found?.offset ?? body.length;
    const reason = found?.reason ?? fallback;
    const shift = body === text ? 0 : 1;
    return { ok: false, problem: { ...lineAndColumn(text, offset + shift), reason } };
  }
}

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

class ScanError extends Error {
  constructor(readonly offset: number, reason: string) {
    super(reason);
  }
}

/** The offset and reason of the first JSON syntax error, or undefined if the text is valid. */
export function findJsonSyntaxError(text: string): { offset: number; reason: string } | undefined {
  const scanner = new JsonScanner(text);
  try {
    scanner.document();
    return undefined;
  } catch (error) {
    if (error instanceof ScanError) return { offset: error.offset, reason: error.message };
    // Nesting deep enough to overflow the scanner's stack: no position to give.
    return undefined;
  }
}

class JsonScanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.whitespace();
    this.value();
    this.whitespace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the JSON value`);
  }

  private value(): void {
    const ch = this.text[this.pos];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.pos)) {
        this.pos += literal.length;
        return;
      }
    }
    this.fail(`expected a value but found ${this.describe()}`);
  }

  private object(): void {
    this.pos++;
    this.whitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.pos] !== '"') {
        const trailing = this.text[this.pos] === '}' ? ' (a trailing comma is not allowed)' : '';
        this.fail(`expected a double-quoted property name but found ${this.describe()}${trailing}`);
      }
      this.string();
      this.whitespace();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after the property name but found ${this.describe()}`);
      this.pos++;
      this.whitespace();
      this.value();
      this.whitespace();
      const next = this.text[this.pos];
      if (next === '}') {
        this.pos++;
        return;
      }
      if (next !== ',') this.fail(`expected ',' or '}' after a property value but found ${this.describe()}`);
      this.pos++;
    }
  }

  private array(): void {
    this.pos++;
    this.whitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.pos] === ']') this.fail('expected a value but found \']\' (a trailing comma is not allowed)');
      this.value();
      this.whitespace();
      const next = this.text[this.pos];
      if (next === ']') {
        this.pos++;
        return;
      }
      if (next !== ',') this.fail(`expected ',' or ']' after an array element but found ${this.describe()}`);
      this.pos++;
    }
  }

  private string(): void {
    this.pos++;
    for (;;) {
      if (this.pos >= this.text.length) this.fail('unterminated string');
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        this.pos++;
        return;
      }
      if (code < 0x20) this.fail('control character inside a string (escape it, e.g. \\n)');
      if (code === 0x5c) {
        const escaped = this.text[this.pos + 1];
        if (escaped === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail('bad \\u escape (needs 4 hex digits)');
          this.pos += 6;
          continue;
        }
        if (escaped === undefined || !'"\\/bfnrt'.includes(escaped)) this.fail('bad escape character in a string');
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
  }

  private number(): void {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match || match[0] === '-') this.fail(`bad number starting with ${this.describe()}`);
    this.pos += match[0].length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail(`bad number: unexpected ${this.describe()}`);
  }

  private whitespace(): void {
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos];
      if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') return;
      this.pos++;
    }
  }

  private describe(): string {
    if (this.pos >= this.text.length) return 'the end of the file';
    return JSON.stringify(this.text[this.pos]);
  }

  private fail(reason: string): never {
    throw new ScanError(this.pos, reason);
  }
}
