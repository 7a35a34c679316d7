import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, NumberLike, readmeBeside } from '@loopedge/runtime';
import { csvSettings } from './csv-settings.js';
import { rfcCsvHandlers } from './csv-rfc-mode.js';
import { legacyCsvHandlers } from './csv-legacy-mode.js';

/**
 * Node-RED's `csv` node: CSV text to objects (a message per row, or one array)
 * and objects/arrays to CSV text. `spec: "rfc"` selects the RFC 4180 parser of
 * Node-RED 4; any other value, or none (flows from Node-RED 3 and older), the legacy one.
 */
export const csvNode = defineNode({
  type: 'csv',
  category: 'parser',
  config: Type.Object({
    name: NodeName,
    // No default on purpose: a node without `spec` comes from an older Node-RED
    // and must keep the legacy parser, as it does in Node-RED 4. New nodes get "rfc".
    spec: Type.Optional(Type.String({ description: 'Parser: "rfc" (RFC 4180) or anything else for the legacy parser' })),
    sep: Type.String({ default: ',', description: 'Column separator (\\t for tab)' }),
    hdrin: Type.Union([Type.Boolean(), Type.String()], { default: '', description: 'CSV → object: the first row contains column names' }),
    hdrout: Type.Union([Type.String(), Type.Boolean()], { default: 'none', description: 'Object → CSV: column name row "none", "all" or "once" (until msg.reset)' }),
    multi: Type.String({ default: 'one', description: '"one": a message per row; "mult": a single message with an array' }),
    ret: Type.Optional(Type.String({ description: 'Object → CSV line end (\\r\\n, \\n or \\r); missing: CRLF (rfc) or LF (legacy)' })),
    temp: Type.String({ default: '', description: 'Column names, comma separated' }),
    skip: NumberLike('0', 'CSV → object: lines to skip first'),
    strings: Type.Boolean({ default: true, description: 'CSV → object: parse numerical values' }),
    include_empty_strings: Type.Union([Type.Boolean(), Type.String()], { default: '', description: 'CSV → object: keep empty strings' }),
    include_null_values: Type.Union([Type.Boolean(), Type.String()], { default: '', description: 'CSV → object: keep null (missing) values' }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'csv', icon: 'parser-csv.svg', color: '#DEBD5C' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const rfc = config.spec === 'rfc';
    const settings = csvSettings(config, rfc);
    node.status({});
    return rfc ? rfcCsvHandlers(node, settings) : legacyCsvHandlers(node, settings);
  },
});
