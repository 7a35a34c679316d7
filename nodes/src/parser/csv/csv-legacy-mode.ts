import { type FlowMessage, type NodeApi, type NodeHandlers, type SendFunction } from '@loopedge/runtime';
import { sendRowMessages } from './csv-row-messages.js';
import { ensureString, type CsvSettings } from './csv-settings.js';

type Parts = { index: number; count?: number };
type Cell = string | number | null;

// Node-RED's legacy number test: optional minus, no leading zero, optional exponent.
const NUMERIC = /^[-]?(?!E)(?!0\d)\d*\.?\d*(E-?\+?)?\d+$/i;
const escapeRegExp = (text: string): string => text.replace(/[-[\]{}()*+!<=:?./\\^$|#\s,]/g, '\\$&');
// Split on the separator only outside double quotes.
const splitterFor = (sep: string): RegExp => new RegExp(`${escapeRegExp(sep)}(?=(?:(?:[^"]*"){2})*[^"]*$)`, 'g');

/**
 * The csv node's legacy parser (Node-RED before 4, and Node-RED 4 nodes whose
 * `spec` is not "rfc"), ported with its quirks so old flows give the same output.
 */
export function legacyCsvHandlers(node: NodeApi, settings: CsvSettings): NodeHandlers {
  const { separator: sep, quote: quo, lineEnd } = settings;
  // Node-RED keeps one splitter and replaces it whenever a separator is given
  // to clean(); later calls without one reuse the last. Kept as is.
  let splitter = splitterFor(sep);
  let goodTemplate = true;
  let warnNoTemplate = true;
  let headerSent = false;
  let store: Record<string, Cell>[] = [];

  /** Column names from text: split outside quotes, quotes removed, trimmed. */
  function clean(columns: string, separator?: string): string[] {
    if (separator) splitter = splitterFor(separator);
    const names = columns.trim().split(splitter).map((name) => name.replace(/"/g, '').trim());
    goodTemplate = !(names.length === 1 && names[0] === '');
    return names;
  }

  let template = clean(settings.template, ',');
  const noTemplate = template.length === 1 && template[0] === '';
  const isBlank = (t: string[]): boolean => t.length === 1 && t[0] === '';
  const columnsOf = (t: string[]): string => t.map((v) => (v.includes(',') ? `"${v}"` : v)).join(',');

  function quoted(text: string, alsoWhen: boolean): string {
    if (text.includes(quo)) return quo + text.replace(/"/g, '""') + quo;
    if (text.includes(sep) || alsoWhen) return quo + text + quo;
    return text;
  }

  function toCsv(msg: FlowMessage, send: SendFunction): void {
    const parts = msg.parts as Partial<Parts> | undefined;
    if (!(noTemplate && Object.hasOwn(msg, 'parts') && parts && Object.hasOwn(parts, 'index') && (parts.index ?? 0) > 0)) template = clean(settings.template);
    const lines: string[] = [];
    if (!Array.isArray(msg.payload)) msg.payload = [msg.payload];
    let rows = msg.payload as unknown[];
    if (settings.headerOut !== 'none' && !headerSent) {
      if (isBlank(template)) template = Object.hasOwn(msg, 'columns') ? clean(String(msg.columns || ''), ',') : Object.keys(rows[0] as object);
      lines.push(template.map((v) => (v.includes(sep) ? `"${v}"` : v)).join(sep));
      if (settings.headerOut === 'once') headerSent = true;
    }
    for (let s = 0; s < rows.length; s++) {
      if (Array.isArray(rows[s]) || typeof rows[s] !== 'object') {
        if (typeof rows[s] !== 'object') rows = [rows]; // plain values: the whole array is one row
        const row = rows[s] as unknown[];
        for (let t = 0; t < row.length; t++) {
          if (row[t] === undefined) row[t] = '';
          // null has no toString: Node-RED fails the message here, and so do we
          const text = (row[t] as { toString(): string }).toString();
          row[t] = quoted(text, text.includes('\n'));
        }
        lines.push(row.join(sep));
      } else {
        if (isBlank(template) && Object.hasOwn(msg, 'columns')) template = clean(String(msg.columns || ''), ',');
        const row = rows[s] as Record<string, unknown>;
        const cells: string[] = [];
        if (isBlank(template)) {
          if (warnNoTemplate) {
            node.warn('No columns template specified for object -> CSV.');
            warnNoTemplate = false;
          }
          for (const name of Object.keys((rows[0] ?? {}) as object)) {
            if (!Object.hasOwn(row, name) || typeof row[name] === 'object') continue;
            const text = row[name] === undefined ? '' : String(row[name]);
            cells.push(quoted(text, name.includes('\n')));
          }
        } else {
          for (const name of template) {
            if (name === '') {
              cells.push('');
              continue;
            }
            const text = ensureString(row[name] === undefined ? '' : row[name]);
            cells.push(quoted(text, text.includes('\n')));
          }
        }
        lines.push(cells.join(sep));
      }
    }
    msg.payload = lines.join(lineEnd) + lineEnd;
    msg.columns = columnsOf(template);
    if (msg.payload !== '') send(msg);
  }

  /** The legacy character-by-character reader. */
  function readRows(msg: FlowMessage, line: string): { rows: Record<string, Cell>[]; last: Record<string, Cell>; lineBreaks: number; isLast: boolean } {
    let outside = true;
    let j = 0;
    let cells: Cell[] = [''];
    let object: Record<string, Cell> = {};
    const rows: Record<string, Cell>[] = [];
    let first = true;
    let isLast = false;
    let lineCount = 0;
    let headerText = '';
    const parts = msg.parts as Parts | undefined;
    if (Object.hasOwn(msg, 'parts') && parts) {
      lineCount = parts.index;
      if (parts.index > settings.skip) first = false;
      if (Object.hasOwn(parts, 'count') && parts.index + 1 >= (parts.count ?? 0)) isLast = true;
    }
    const lineBreaks = (line.match(/[\r\n]/g) ?? []).length;
    if (Object.hasOwn(msg, 'parts') && settings.multi === 'mult' && lineBreaks > 1) first = true;

    const storeCell = (allowNullFromSeparator: boolean, i: number): void => {
      if (!goodTemplate) template[j] = `col${j + 1}`;
      const name = template[j];
      if (!name) return;
      if (allowNullFromSeparator && line[i - 1] === sep) cells[j] = null;
      const cell = cells[j]!;
      if (cell !== null && settings.parseNumbers && NUMERIC.test(String(cell).trim())) cells[j] = parseFloat(String(cell).trim());
      const value = cells[j]!;
      if (settings.includeNullValues && value === null) object[name] = value;
      if (settings.includeEmptyStrings && value === '') object[name] = value;
      if (value !== null && value !== '') object[name] = value;
    };

    for (let i = 0; i < line.length; i++) {
      const char = line[i]!;
      if (first && lineCount < settings.skip) {
        if (char === '\n') lineCount += 1;
        continue;
      }
      if (settings.headerIn && first) {
        if (char === '\n' || char === '\r' || line.length - i === 1) {
          if (line.length - i === 1) headerText += char;
          template = clean(headerText, sep);
          first = false;
        } else headerText += char;
      } else if (char === quo) {
        outside = !outside;
        if (line[i - 1] === quo && !outside) cells[j] += '"'; // "" inside quotes is a quote
      } else if (char === sep && outside) {
        if (!goodTemplate) template[j] = `col${j + 1}`;
        if (template[j]) {
          // nothing between separators, or a separator at the start of a line: null.
          // (Node-RED reads the previous character unguarded, so a separator as the very first character fails the message.)
          if (line[i - 1] === sep || line[i - 1]!.includes('\n')) cells[j] = null;
        }
        storeCell(false, i);
        j += 1;
        // a separator as the very last character leaves a null cell
        cells[j] = line.length - 1 === i ? null : '';
      } else if ((char === '\n' || char === '\r') && outside) {
        storeCell(true, i);
        if (JSON.stringify(object) !== '{}') rows.push(object);
        j = 0;
        cells = [''];
        object = {};
        outside = true;
      } else {
        cells[j] += char;
      }
    }
    if (!outside) node.warn('Malformed CSV data - output probably corrupt.');
    storeCell(false, line.length);
    if (JSON.stringify(object) !== '{}') rows.push(object);
    return { rows, last: object, lineBreaks, isLast };
  }

  function fromCsv(msg: FlowMessage, text: string, send: SendFunction): void {
    const hasParts = Object.hasOwn(msg, 'parts');
    const { rows, last, lineBreaks, isLast } = readRows(msg, text);
    const columns = template.map((v) => (v.includes(',') ? `"${v}"` : v)).filter((v) => v).join(',');
    const parts = msg.parts as Parts | undefined;
    if (settings.multi !== 'one') {
      msg.payload = rows;
      if (hasParts && parts && lineBreaks <= 1) {
        if (JSON.stringify(last) !== '{}') store.push(last);
        if (parts.index + 1 === parts.count) {
          msg.payload = store;
          msg.columns = columns;
          delete msg.parts;
          send(msg);
          store = [];
        }
      } else {
        msg.columns = columns;
        send(msg);
      }
      return;
    }
    sendRowMessages(msg, rows, columns, settings, { hasParts, isLast, newMessageId: node.newMessageId }, send);
  }

  return {
    input(msg, send) {
      if (Object.hasOwn(msg, 'reset')) headerSent = false;
      if (!Object.hasOwn(msg, 'payload')) {
        if (!Object.hasOwn(msg, 'reset')) send(msg);
        return;
      }
      if (typeof msg.payload === 'object') toCsv(msg, send);
      else if (typeof msg.payload === 'string') fromCsv(msg, msg.payload, send);
      else node.warn('This node only handles CSV strings or js objects.');
    },
  };
}
