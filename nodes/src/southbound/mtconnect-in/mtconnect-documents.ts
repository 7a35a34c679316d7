import { createRequire } from 'node:module';
import type { XMLParser as XmlParserClass, XMLValidator as XmlValidator } from 'fast-xml-parser';

/**
 * Parsing of MTConnect (1.3 – 2.x) response documents: MTConnectDevices
 * (probe), MTConnectStreams (current / sample) and MTConnectError. Pure: text in,
 * plain objects out, so the polling loop stays small and this is testable alone.
 */

/** The Header attributes the polling loop relies on. */
export interface AgentHeader {
  instanceId: string;
  nextSequence: number;
  firstSequence: number;
  lastSequence: number;
}

/** What the probe says about one data item, by id. */
export interface DataItemInfo {
  type: string;
  category: string;
  name?: string;
  subType?: string;
  units?: string;
}

export interface DevicesDocument {
  kind: 'devices';
  header: AgentHeader;
  dataItems: Map<string, DataItemInfo>;
}

/** One observation, as sent in a message payload. */
export interface Observation {
  device: string;
  deviceUuid?: string;
  component: string;
  componentId: string;
  dataItemId: string;
  name?: string;
  type: string;
  subType?: string;
  category: 'SAMPLE' | 'EVENT' | 'CONDITION';
  value: string | number;
  units?: string;
  timestamp: string;
  sequence: number;
}

export interface StreamsDocument {
  kind: 'streams';
  header: AgentHeader;
  observations: Observation[];
}

export interface ErrorDocument {
  kind: 'error';
  header?: AgentHeader;
  errors: Array<{ code: string; text: string }>;
}

export type AgentDocument = DevicesDocument | StreamsDocument | ErrorDocument;

type XmlElement = Record<string, unknown>;

// fast-xml-parser is required on the first agent document, not at import
// (memory a LoopEdge without MTConnect nodes would pay for nothing).
let xmlTools: { parser: XmlParserClass; validator: typeof XmlValidator } | undefined;
function loadXml(): { parser: XmlParserClass; validator: typeof XmlValidator } {
  if (xmlTools) return xmlTools;
  const { XMLParser, XMLValidator } = createRequire(import.meta.url)('fast-xml-parser') as { XMLParser: typeof XmlParserClass; XMLValidator: typeof XmlValidator };
  xmlTools = { parser: new XMLParser(PARSER_OPTIONS), validator: XMLValidator };
  return xmlTools;
}

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  textNodeName: '#text',
  // Values stay text: "0010" or "1 2 3" must not be turned into numbers here.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
};

function asArray(value: unknown): XmlElement[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'object' && v !== null ? (v as XmlElement) : { '#text': String(v) }));
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function readHeader(root: XmlElement): AgentHeader | undefined {
  const header = asArray(root.Header)[0];
  if (!header) return undefined;
  return {
    instanceId: String(header.instanceId ?? ''),
    nextSequence: Number(header.nextSequence ?? 0),
    firstSequence: Number(header.firstSequence ?? 0),
    lastSequence: Number(header.lastSequence ?? 0),
  };
}

/** SPINDLE_SPEED from the stream element name SpindleSpeed (used when the probe did not list the item). */
export function elementNameToType(element: string): string {
  return element.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Walk a Device and its nested Components, collecting every DataItem. */
function collectDataItems(element: XmlElement, into: Map<string, DataItemInfo>): void {
  const dataItems = asArray(element.DataItems)[0];
  for (const item of asArray(dataItems?.DataItem)) {
    const id = text(item.id);
    if (!id) continue;
    into.set(id, {
      type: String(item.type ?? ''),
      category: String(item.category ?? ''),
      ...(text(item.name) ? { name: text(item.name) } : {}),
      ...(text(item.subType) ? { subType: text(item.subType) } : {}),
      ...(text(item.units) ? { units: text(item.units) } : {}),
    });
  }
  for (const components of asArray(element.Components)) {
    for (const [key, children] of Object.entries(components)) {
      if (key === '#text') continue;
      for (const child of asArray(children)) collectDataItems(child, into);
    }
  }
}

function observationsOf(root: XmlElement, dataItems: ReadonlyMap<string, DataItemInfo>): Observation[] {
  const observations: Observation[] = [];
  const streams = asArray(root.Streams)[0];
  for (const deviceStream of asArray(streams?.DeviceStream)) {
    const device = String(deviceStream.name ?? '');
    for (const componentStream of asArray(deviceStream.ComponentStream)) {
      const groups: Array<[Observation['category'], string]> = [['SAMPLE', 'Samples'], ['EVENT', 'Events'], ['CONDITION', 'Condition']];
      for (const [category, groupName] of groups) {
        for (const group of asArray(componentStream[groupName])) {
          for (const [element, entries] of Object.entries(group)) {
            if (element === '#text') continue;
            for (const entry of asArray(entries)) {
              observations.push(toObservation(device, deviceStream, componentStream, category, element, entry, dataItems));
            }
          }
        }
      }
    }
  }
  return observations.sort((a, b) => a.sequence - b.sequence);
}

function toObservation(device: string, deviceStream: XmlElement, componentStream: XmlElement, category: Observation['category'], element: string, entry: XmlElement, dataItems: ReadonlyMap<string, DataItemInfo>): Observation {
  const dataItemId = String(entry.dataItemId ?? '');
  const info = dataItems.get(dataItemId);
  const raw = text(entry['#text']) ?? '';
  // A condition's value is its level (Normal, Warning, Fault, Unavailable): the element name.
  let value: string | number = category === 'CONDITION' ? element.toUpperCase() : raw;
  if (category === 'SAMPLE' && raw !== '' && raw !== 'UNAVAILABLE' && Number.isFinite(Number(raw))) value = Number(raw);
  const type = category === 'CONDITION' ? String(entry.type ?? info?.type ?? '') : (info?.type || elementNameToType(element));
  const name = text(entry.name) ?? info?.name;
  const subType = text(entry.subType) ?? info?.subType;
  const deviceUuid = text(deviceStream.uuid);
  return {
    device,
    ...(deviceUuid ? { deviceUuid } : {}),
    component: String(componentStream.component ?? ''),
    componentId: String(componentStream.componentId ?? ''),
    dataItemId,
    ...(name ? { name } : {}),
    type,
    ...(subType ? { subType } : {}),
    category,
    value,
    ...(info?.units ? { units: info.units } : {}),
    timestamp: String(entry.timestamp ?? ''),
    sequence: Number(entry.sequence ?? 0),
  };
}

/**
 * Parse any agent response. Throws (with the parser's line and column) when the
 * text is not well-formed XML or not an MTConnect document.
 */
export function parseAgentDocument(xml: string, dataItems: ReadonlyMap<string, DataItemInfo> = new Map()): AgentDocument {
  const { parser, validator } = loadXml();
  const valid = validator.validate(xml);
  if (valid !== true) {
    throw new Error(`the agent sent XML that is not well-formed: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`);
  }
  const doc = parser.parse(xml) as XmlElement;
  const devices = asArray(doc.MTConnectDevices)[0];
  const streams = asArray(doc.MTConnectStreams)[0];
  const error = asArray(doc.MTConnectError)[0];
  if (error) {
    const header = readHeader(error);
    // 1.3 has <Errors><Error/></Errors>; 1.0-1.2 a single <Error/>.
    const entries = [...asArray(asArray(error.Errors)[0]?.Error), ...asArray(error.Error)];
    return {
      kind: 'error',
      ...(header ? { header } : {}),
      errors: entries.map((e) => ({ code: String(e.errorCode ?? 'UNKNOWN'), text: text(e['#text']) ?? '' })),
    };
  }
  const root = devices ?? streams;
  const header = root ? readHeader(root) : undefined;
  if (!root || !header) throw new Error('the agent sent XML that is not an MTConnect document (no MTConnectDevices/MTConnectStreams with a Header)');
  if (devices) {
    const items = new Map<string, DataItemInfo>();
    for (const device of asArray(asArray(devices.Devices)[0]?.Device)) collectDataItems(device, items);
    // 2.x may list the agent itself as an <Agent> device.
    for (const agent of asArray(asArray(devices.Devices)[0]?.Agent)) collectDataItems(agent, items);
    return { kind: 'devices', header, dataItems: items };
  }
  return { kind: 'streams', header, observations: observationsOf(root, dataItems) };
}
