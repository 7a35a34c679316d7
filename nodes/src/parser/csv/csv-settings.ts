/** The csv node's config, normalised as Node-RED's constructor does, shared by both parsers. */
export interface CsvSettings {
  /** Column names, comma separated (the `temp` property). */
  template: string;
  separator: string;
  quote: '"';
  /** Line end for object → CSV. */
  lineEnd: string;
  /** "one": a message per row; anything else: one message with an array. */
  multi: string;
  /** The first row holds the column names. */
  headerIn: boolean;
  /** Column name row for object → CSV: never, always, or once until msg.reset. */
  headerOut: 'none' | 'all' | 'once';
  skip: number;
  parseNumbers: boolean;
  includeEmptyStrings: boolean;
  includeNullValues: boolean;
}

export interface CsvConfig {
  temp: string;
  sep: string;
  ret?: string;
  multi: string;
  hdrin: boolean | string;
  hdrout: boolean | string;
  skip: number | string;
  strings?: boolean;
  include_empty_strings: boolean | string;
  include_null_values: boolean | string;
}

/** Node-RED's escapes in the separator and line-end fields. */
const unescape = (text: string): string => text.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r');

/** `rfc`: RFC 4180 mode (Node-RED 4 default); otherwise the legacy parser, whose line end defaults to LF. */
export function csvSettings(config: CsvConfig, rfc: boolean): CsvSettings {
  const hdrout = config.hdrout === true ? 'all' : config.hdrout;
  const headerOut = hdrout === 'all' || hdrout === 'once' ? hdrout : 'none';
  return {
    template: config.temp || '',
    separator: unescape(config.sep || ','),
    quote: '"',
    lineEnd: (config.ret || (rfc ? '\r\n' : '\n')).replace(/\\n/g, '\n').replace(/\\r/g, '\r'),
    multi: config.multi || 'one',
    headerIn: config.hdrin === true,
    headerOut,
    skip: parseInt(String(config.skip || 0), 10),
    // Node-RED parses numbers only for the boolean true; a missing property means true.
    parseNumbers: config.strings === undefined ? true : config.strings === true,
    includeEmptyStrings: Boolean(config.include_empty_strings),
    includeNullValues: Boolean(config.include_null_values),
  };
}

/** Node-RED's `RED.util.ensureString`. */
export function ensureString(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string') return value;
  return String(value);
}
