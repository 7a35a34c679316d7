import { type FlowMessage, type NodeApi, type NodeHandlers, type SendFunction } from '@loopedge/runtime';
import { sendRowMessages } from './csv-row-messages.js';
import { ensureString, type CsvSettings } from './csv-settings.js';
import { parseCsv, quoteCell, type CsvCell } from './rfc4180.js';

type Template = (string | null)[];
type Parts = { index: number; count?: number };

const BAD_TEMPLATE = 'Malformed columns template.';
const NOT_CSV = 'This node only handles CSV strings or js objects.';

const hasTemplate = (t: Template | null | undefined): t is Template => !!t && t.length > 0 && !(t.length === 1 && t[0] === '');

/** The csv node in RFC 4180 mode (Node-RED 4's default for new nodes). */
export function rfcCsvHandlers(node: NodeApi, settings: CsvSettings): NodeHandlers {
  const { separator: sep, quote } = settings;
  const sendHeaders = settings.headerOut === 'all' || settings.headerOut === 'once';
  const quoteables = [sep, quote, '\n', '\r'];
  const commaQuoteables = [',', '"', '\n', '\r'];
  let warnedNoTemplate = false;
  let headerSent = false;
  let store: Record<string, CsvCell>[] = [];

  /** Column names from "a,b,c"; null when the text is not exactly one CSV row. */
  function templateFrom(columns: string, separator = ','): Template | null {
    const parsed = parseCsv(columns, { separator, quote, outputStyle: 'array', strict: true });
    return parsed.data.length === 1 ? (parsed.data[0] as Template) : null;
  }

  /** msg.columns and the header row. keepEmpty keeps blank columns (header row); msg.columns drops them. */
  function columnsText(template: Template | null, keepEmpty = false, separator = ',', quotables = commaQuoteables): string {
    const headers = Array.isArray(template) ? template : [];
    if (!keepEmpty) return parseCsv('', { headers, headersOnly: true, separator, quote, outputStyle: 'array', strict: true }).header;
    return headers.map((h) => quoteCell(h || '', { quote, separator, quoteables: quotables })).join(separator);
  }

  const addQuotes = (cell: string): string => quoteCell(cell, { quote, separator: sep, quoteables });

  let template: Template;
  try {
    template = templateFrom(settings.template) ?? [''];
  } catch {
    node.status({ fill: 'red', shape: 'dot', text: BAD_TEMPLATE });
    throw new Error(`csv node ${node.id}: ${BAD_TEMPLATE} Check the column names (field temp): "${settings.template}"`);
  }
  const noTemplate = !hasTemplate(template);

  function toCsv(msg: FlowMessage, input: object, send: SendFunction): void {
    let rows: unknown[] = Array.isArray(input) ? input : [input];
    const first: unknown = Array.isArray(input) ? input[0] : input;
    let rowsAreArrays = Array.isArray(input) && input.length > 0 && Array.isArray(first);
    if (Array.isArray(input) && input.length > 0 && typeof first !== 'object') {
      rows = [input]; // one row of plain values
      rowsAreArrays = true;
    }
    const parts = msg.parts as Partial<Parts> | undefined;
    // A template from msg.columns is kept for the later parts of the same sequence.
    if (!(noTemplate && Object.hasOwn(msg, 'parts') && parts && Object.hasOwn(parts, 'index') && (parts.index ?? 0) > 0)) {
      template = templateFrom(settings.template) ?? [''];
    }
    const lines: string[] = [];
    if (sendHeaders && !headerSent) {
      if (!hasTemplate(template)) {
        template = Object.hasOwn(msg, 'columns') ? (templateFrom(String(msg.columns || ''), ',') ?? ['']) : Object.keys(rows[0] as object);
      }
      lines.push(columnsText(template, true, sep, quoteables));
      if (settings.headerOut === 'once') headerSent = true;
    }
    for (const row of rows) {
      if (rowsAreArrays) lines.push(arrayRow(row as unknown[]));
      else lines.push(objectRow(msg, row as Record<string, unknown>, rows[0] as Record<string, unknown>));
    }
    msg.payload = lines.join(settings.lineEnd) + settings.lineEnd;
    msg.columns = columnsText(template);
    if (msg.payload !== '') send(msg);
  }

  function arrayRow(row: unknown[]): string {
    const withTemplate = hasTemplate(template);
    const length = withTemplate ? template.length : row.length;
    const cells: string[] = [];
    for (let t = 0; t < length; t++) {
      const cell = row[t] === undefined ? '' : row[t];
      // With a template, a blank column name leaves its cell empty.
      if (!withTemplate || template[t]) cells[t] = addQuotes(ensureString(cell));
    }
    return cells.join(sep);
  }

  function objectRow(msg: FlowMessage, row: Record<string, unknown>, firstRow: Record<string, unknown>): string {
    let current: Template | null = template;
    if (!hasTemplate(current) && Object.hasOwn(msg, 'columns')) current = templateFrom(String(msg.columns || ''), ',');
    if (!hasTemplate(current)) {
      if (!warnedNoTemplate) {
        node.warn('No columns template specified for object -> CSV.');
        warnedNoTemplate = true;
      }
      template = Object.keys(row);
      const cells: string[] = [];
      for (const name of Object.keys(firstRow)) {
        if (!Object.hasOwn(row, name)) continue;
        const cell = row[name];
        if (typeof cell !== 'object') cells.push(addQuotes(cell === undefined ? '' : String(cell)));
      }
      return cells.join(sep);
    }
    template = current;
    return current.map((name) => (name ? addQuotes(ensureString(row[name] === undefined ? '' : row[name])) : '')).join(sep);
  }

  function fromCsv(msg: FlowMessage, text: string, send: SendFunction): void {
    let firstLine = true;
    let last = false;
    let lineCount = 0;
    const hasParts = Object.hasOwn(msg, 'parts');
    const parts = msg.parts as Parts | undefined;
    if (hasParts && parts) {
      lineCount = parts.index;
      if (parts.index > settings.skip) firstLine = false;
      if (Object.hasOwn(parts, 'count') && parts.index + 1 >= (parts.count ?? 0)) last = true;
    }
    let cursor = 0;
    if (settings.skip > 0 && lineCount < settings.skip) {
      // Node-RED counts \r and \n separately here, so CRLF text skips fewer lines than asked.
      for (; cursor < text.length; cursor++) {
        if (firstLine && lineCount < settings.skip) {
          if (text[cursor] === '\r' || text[cursor] === '\n') lineCount++;
          continue;
        }
        break;
      }
      if (cursor >= text.length) return; // the whole message was skipped
    }
    const lineBreaks = ((cursor ? text.slice(cursor) : text).match(/[\r\n]/g) ?? []).length;
    if (hasParts && settings.multi === 'mult' && lineBreaks > 1) firstLine = true;
    if (firstLine && settings.headerIn) {
      try {
        const header = parseCsv(text, { cursor, separator: sep, quote, dataHasHeaderRow: true, headersOnly: true, outputStyle: 'array', strict: true });
        template = header.headers;
        cursor = header.cursor;
      } catch (error) {
        node.status({ fill: 'red', shape: 'dot', text: BAD_TEMPLATE });
        throw error;
      }
    }
    const result = parseCsv(text, {
      cursor,
      separator: sep,
      quote,
      dataHasHeaderRow: false,
      headers: hasTemplate(template) ? template : null,
      outputStyle: 'object',
      includeNullValues: settings.includeNullValues,
      includeEmptyStrings: settings.includeEmptyStrings,
      parseNumeric: settings.parseNumbers,
      strict: false,
    });
    const data = result.data as Record<string, CsvCell>[];
    const columns = columnsText(result.headers);
    if (settings.multi !== 'one') {
      if (hasParts && parts && lineBreaks <= 1) {
        // One line per message: rows are collected until the last part arrives.
        store.push(...data);
        if (parts.index + 1 === parts.count) {
          msg.payload = store;
          msg.columns = columns;
          delete msg.parts;
          send(msg);
          store = [];
        }
      } else {
        msg.columns = columns;
        msg.payload = data;
        send(msg);
      }
      return;
    }
    sendRowMessages(msg, data, columns, settings, { hasParts, isLast: last, newMessageId: node.newMessageId }, send);
  }

  return {
    input(msg, send) {
      node.status({});
      if (Object.hasOwn(msg, 'reset')) headerSent = false;
      if (!Object.hasOwn(msg, 'payload')) {
        if (!Object.hasOwn(msg, 'reset')) send(msg); // nothing to convert: passed on
        return;
      }
      const input = msg.payload;
      if (typeof input === 'string') fromCsv(msg, input, send);
      else if (typeof input === 'object' && input !== null) toCsv(msg, input, send);
      else {
        node.status({ fill: 'red', shape: 'dot', text: NOT_CSV });
        throw new Error(NOT_CSV);
      }
    },
  };
}
