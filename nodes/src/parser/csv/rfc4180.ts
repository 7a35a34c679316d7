/**
 * The CSV parser of Node-RED 4's csv node (RFC 4180 mode), with its
 * deliberate leniencies: any single-character separator and quote; `\r`, `\n`
 * or `\r\n` line ends; outside strict mode a stray quote is kept and text after
 * a closing quote is appended.
 */

export interface CsvParseOptions {
  /** Index in the text to start from. */
  cursor?: number;
  separator?: string;
  quote?: string;
  /** Stop after the first row and return only the headers. */
  headersOnly?: boolean;
  /** Column names to use instead of a header row. */
  headers?: (string | null)[] | null;
  /** The first row holds the column names (when no headers are given). */
  dataHasHeaderRow?: boolean;
  /** Array output: include the header row. */
  outputHeader?: boolean;
  /** Convert numeric-looking cells to numbers. */
  parseNumeric?: boolean;
  includeNullValues?: boolean;
  includeEmptyStrings?: boolean;
  outputStyle?: 'array' | 'object';
  /** Throw on malformed input instead of repairing it. */
  strict?: boolean;
}

export type CsvCell = string | number | null;

export interface CsvParseResult {
  headers: (string | null)[];
  /** The non-empty headers, quoted where needed, joined with commas. */
  header: string;
  data: CsvCell[][] | Record<string, CsvCell>[];
  /** Index just after what was parsed. */
  cursor: number;
}

export class CsvParseError extends Error {
  constructor(message: string, readonly cursor: number) {
    super(message);
    this.name = 'CsvParseError';
  }
}

// Cells that start with "+", "-0" or "0<digit>" stay strings (phone numbers, zip codes, ids).
const SKIP_NUMBER_CONVERSION = /^ *(\+|-0\d|0\d)/;

/** Split CSV text into rows of cells; see Node-RED's lib/csv for the exact rules ported here. */
function parseRows(text: string, options: CsvParseOptions): { rows: (string | null)[][]; cursor: number } {
  const separator = options.separator ?? ',';
  const quote = options.quote ?? '"';
  const strict = options.strict ?? false;
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let cell: string[] = [];
  let cursor = options.cursor ?? 0;
  let newCell = true;
  let inQuote = false;
  let closed = false;

  // A cell with no characters at all is null; one that had quotes ("") is an empty string.
  const finishCell = (): void => {
    const value = cell.join('');
    cell = [];
    row.push(value || (newCell ? null : ''));
  };
  const finishRow = (): void => {
    if (cell.length) finishCell();
    if (row.length) {
      rows.push(row);
      row = [];
    }
  };

  while (cursor < text.length) {
    const char = text[cursor]!;
    if (inQuote) {
      if (char === quote && text[cursor + 1] === quote) {
        cell.push(quote);
        cursor += 2;
        newCell = false;
        closed = false;
      } else if (char === quote) {
        inQuote = false;
        cursor += 1;
        newCell = false;
        closed = true;
      } else {
        cell.push(char);
        newCell = false;
        closed = false;
        cursor++;
      }
    } else if (char === separator) {
      finishCell();
      cursor += 1;
      newCell = true;
      closed = false;
    } else if (char === quote) {
      if (newCell) {
        inQuote = true;
        cursor += 1;
        newCell = false;
        closed = false;
      } else if (strict) {
        throw new CsvParseError('Quote found in the middle of an unquoted field', cursor);
      } else {
        // keep one quote unless it ends the cell or row
        cursor++;
        const next = text[cursor];
        if (next && next !== '\n' && next !== '\r' && next !== separator) {
          cell.push(char);
          if (next === quote) cursor++;
        }
      }
    } else if (char === '\n' || char === '\r') {
      finishRow();
      cursor += text[cursor + 1] === '\n' ? 2 : 1;
      newCell = true;
      closed = false;
      if (options.headersOnly) break;
    } else if (closed) {
      if (strict) throw new CsvParseError('Data found after closing quote', cursor);
      // Node-RED steps back one character here and reads it again as cell text
      cursor--;
      closed = false;
    } else {
      cell.push(char);
      newCell = false;
      cursor++;
    }
  }
  if (strict && inQuote) throw new CsvParseError('Missing quote, unclosed cell', cursor);
  finishRow();
  return { rows, cursor };
}

/** Parse CSV text into rows (arrays) or objects keyed by column name, as Node-RED's lib/csv `parse`. */
export function parseCsv(text: string, options: CsvParseOptions = {}): CsvParseResult {
  const quote = options.quote ?? '"';
  const headers: (string | null)[] = Array.isArray(options.headers) ? [...options.headers] : [];
  const headersSupplied = headers.length > 0;
  const { rows, cursor } = parseRows(text, options);
  let firstRowIsHeader = false;
  if (rows.length >= 1 && !headersSupplied) {
    if (options.dataHasHeaderRow ?? true) {
      headers.push(...rows[0]!);
      firstRowIsHeader = true;
    } else {
      for (let i = 0; i < rows[0]!.length; i++) headers.push(`col${i + 1}`);
    }
  }
  const header = headers
    .filter((h): h is string => !!h)
    .map((h) => quoteCell(h, { quote, separator: ',' }))
    .join(',');

  if (options.outputStyle === 'array' || options.headersOnly) {
    const outputHeader = options.outputHeader ?? true;
    let output: CsvCell[][] = rows;
    if (!firstRowIsHeader && !options.headersOnly && outputHeader && headers.length > 0) {
      output = [headers, ...rows];
      firstRowIsHeader = true;
    }
    if (options.headersOnly) return { headers, header, data: [], cursor };
    return { headers, header, data: firstRowIsHeader && !outputHeader ? output.slice(1) : output, cursor };
  }

  const includeNull = options.includeNullValues ?? false;
  const includeEmpty = options.includeEmptyStrings ?? true;
  const objects: Record<string, CsvCell>[] = [];
  for (let i = firstRowIsHeader ? 1 : 0; i < rows.length; i++) {
    const object: Record<string, CsvCell> = {};
    let empty = true;
    headers.forEach((name, j) => {
      if (!name) return;
      let value: CsvCell = rows[i]![j] === undefined ? null : rows[i]![j]!;
      if (value === null && !includeNull) return;
      if (value === '' && !includeEmpty) return;
      if (options.parseNumeric === true && value && !SKIP_NUMBER_CONVERSION.test(value)) {
        const number = +value;
        if (!Number.isNaN(number)) value = number;
      }
      object[name] = value;
      empty = false;
    });
    if (!empty) objects.push(object);
  }
  return { headers, header, data: objects, cursor };
}

export interface QuoteOptions {
  quote?: string;
  separator?: string;
  /** Characters that make a cell need quotes; default: quote, separator, CR, LF. */
  quoteables?: string[];
}

/** Quote a cell when it holds a quoteable character; quotes inside are doubled (RFC 4180 2.6). */
export function quoteCell(cell: string, options: QuoteOptions = {}): string {
  const quote = options.quote ?? '"';
  const separator = options.separator ?? ',';
  const quoteables = options.quoteables ?? [quote, separator, '\r', '\n'];
  const escaped = cell.includes(quote) ? cell.replace(/"/g, '""') : cell;
  const wrap = quoteables.some((q) => cell.includes(q)) ? quote : '';
  return wrap + escaped + wrap;
}
