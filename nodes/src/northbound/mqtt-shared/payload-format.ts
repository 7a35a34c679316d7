import { isUtf8 } from 'node:buffer';

/** `mqtt in` output types, as Node-RED names them (`auto` is the legacy default). */
export type MqttDatatype = 'auto' | 'auto-detect' | 'buffer' | 'utf8' | 'json' | 'base64';
export const MQTT_DATATYPES: readonly MqttDatatype[] = ['auto', 'auto-detect', 'buffer', 'utf8', 'json', 'base64'];

export type DecodedPayload = { ok: true; payload: unknown } | { ok: false; error: string };

/** MQTT 5 content types whose meaning is known, as in Node-RED. */
function mediaKind(contentType: string): 'string' | 'json' | 'buffer' | undefined {
  const type = contentType.toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type.startsWith('text/') || type === 'application/javascript' || type === 'application/xml') return 'string';
  if (type === 'application/octet-stream' || type.startsWith('image/') || type.startsWith('audio/') || type.startsWith('video/')) return 'buffer';
  return undefined;
}

/**
 * Node-RED's conversion of a received payload (10-mqtt.js `subscriptionHandler`):
 * `json` refuses what does not parse, `auto-detect` parses when it can,
 * `auto` gives text for UTF-8 and the Buffer otherwise.
 */
export function decodePayload(datatype: string, payload: Buffer, contentType?: string, utf8Flag?: boolean): DecodedPayload {
  switch (datatype) {
    case 'buffer':
      return { ok: true, payload };
    case 'base64':
      return { ok: true, payload: payload.toString('base64') };
    case 'utf8':
      return { ok: true, payload: payload.toString('utf8') };
    case 'json':
      if (!(utf8Flag === true || isUtf8(payload))) return { ok: false, error: 'Payload is not a UTF-8 JSON string: set the output to "a Buffer" or fix the publisher' };
      try {
        return { ok: true, payload: JSON.parse(payload.toString('utf8')) };
      } catch (error) {
        return { ok: false, error: `Payload is not valid JSON (${(error as Error).message}): set the output to "auto-detect" or fix the publisher` };
      }
    default:
      return decodeAuto(datatype === 'auto-detect', payload, contentType, utf8Flag);
  }
}

function decodeAuto(parseJson: boolean, payload: Buffer, contentType: string | undefined, utf8Flag: boolean | undefined): DecodedPayload {
  const kind = contentType ? mediaKind(contentType) : undefined;
  if (kind === 'buffer') return { ok: true, payload };
  if (kind === 'string') return { ok: true, payload: payload.toString('utf8') };
  if (kind === 'json') {
    const text = payload.toString('utf8');
    try {
      const parsed: unknown = JSON.parse(text);
      return { ok: true, payload: parseJson ? parsed : text };
    } catch (error) {
      return { ok: false, error: `Payload is declared ${contentType} but is not valid JSON (${(error as Error).message})` };
    }
  }
  if (!(utf8Flag === true || isUtf8(payload))) return { ok: true, payload };
  const text = payload.toString('utf8');
  if (!parseJson) return { ok: true, payload: text };
  try {
    return { ok: true, payload: JSON.parse(text) as unknown };
  } catch {
    return { ok: true, payload: text }; // not JSON: the text, as Node-RED does
  }
}

/** What `mqtt out` publishes for a payload, as Node-RED: Buffers as is, objects as JSON, the rest as text. */
export function encodePayload(payload: unknown): Buffer | string {
  if (payload === null || payload === undefined) return '';
  if (Buffer.isBuffer(payload)) return payload;
  if (payload instanceof Uint8Array) return Buffer.from(payload);
  if (typeof payload === 'object') return JSON.stringify(payload);
  if (typeof payload === 'string') return payload;
  return String(payload);
}
