/**
 * The text encodings of Node's Buffer (utf8, hex, base64, base64url, latin1,
 * ascii, utf16le) in plain ECMAScript, for the inside of an isolate where
 * TextEncoder and Node's codecs do not exist.
 *
 * Self-contained: injected into each isolate as source text.
 */
export interface ByteEncodings {
  /** The canonical name of an encoding; throws TypeError for an unknown one. */
  normalizeEncoding(encoding: unknown): string;
  encodeString(text: string, encoding: string): Uint8Array;
  decodeBytes(bytes: Uint8Array, encoding: string, start: number, end: number): string;
}

export function createByteEncodings(): ByteEncodings {
  const U8 = Uint8Array;
  const fromCharCode = String.fromCharCode;
  const HEX = '0123456789abcdef';
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const B64_LOOKUP = new Int16Array(256).fill(-1);
  for (let i = 0; i < 64; i++) B64_LOOKUP[B64.charCodeAt(i)] = i;
  B64_LOOKUP['-'.charCodeAt(0)] = 62;
  B64_LOOKUP['_'.charCodeAt(0)] = 63;

  function normalizeEncoding(encoding: unknown): string {
    const name = encoding === undefined || encoding === null ? 'utf8' : String(encoding).toLowerCase();
    switch (name) {
      case 'utf8':
      case 'utf-8':
        return 'utf8';
      case 'hex':
      case 'base64':
      case 'base64url':
      case 'ascii':
        return name;
      case 'latin1':
      case 'binary':
        return 'latin1';
      case 'ucs2':
      case 'ucs-2':
      case 'utf16le':
      case 'utf-16le':
        return 'utf16le';
      default:
        throw new TypeError(`Unknown encoding: ${name}`);
    }
  }

  function utf8Encode(text: string): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < text.length; i++) {
      let code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          i++;
        } else code = 0xfffd;
      } else if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
      if (code < 0x80) out.push(code);
      else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 63));
      else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
      else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    }
    return new U8(out);
  }

  function utf8Decode(bytes: Uint8Array, start: number, end: number): string {
    let out = '';
    let chunk: number[] = [];
    const flush = (): void => {
      out += fromCharCode.apply(null, chunk);
      chunk = [];
    };
    let i = start;
    while (i < end) {
      const b = bytes[i]!;
      let code = 0xfffd;
      let size = 1;
      if (b < 0x80) code = b;
      else if (b >= 0xc2 && b < 0xe0 && i + 1 < end && (bytes[i + 1]! & 0xc0) === 0x80) {
        code = ((b & 31) << 6) | (bytes[i + 1]! & 63);
        size = 2;
      } else if (b >= 0xe0 && b < 0xf0 && i + 2 < end && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80) {
        const c = ((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
        if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) {
          code = c;
          size = 3;
        }
      } else if (b >= 0xf0 && b < 0xf5 && i + 3 < end && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80 && (bytes[i + 3]! & 0xc0) === 0x80) {
        const c = ((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
        if (c >= 0x10000 && c <= 0x10ffff) {
          code = c;
          size = 4;
        }
      }
      if (code > 0xffff) {
        code -= 0x10000;
        chunk.push(0xd800 + (code >> 10), 0xdc00 + (code & 1023));
      } else chunk.push(code);
      if (chunk.length > 8000) flush();
      i += size;
    }
    flush();
    return out;
  }

  function encodeString(text: string, encoding: string): Uint8Array {
    switch (encoding) {
      case 'utf8':
        return utf8Encode(text);
      case 'hex': {
        const length = text.length >>> 1;
        const out = new U8(length);
        let i = 0;
        for (; i < length; i++) {
          const byte = parseInt(text.substr(i * 2, 2), 16);
          if (Number.isNaN(byte)) break;
          out[i] = byte;
        }
        return i === length ? out : out.slice(0, i);
      }
      case 'base64':
      case 'base64url': {
        const out: number[] = [];
        let bits = 0;
        let value = 0;
        for (let i = 0; i < text.length; i++) {
          const digit = B64_LOOKUP[text.charCodeAt(i) & 255]!;
          if (digit < 0 || text.charCodeAt(i) > 255) continue;
          value = (value << 6) | digit;
          bits += 6;
          if (bits >= 8) {
            bits -= 8;
            out.push((value >> bits) & 255);
          }
        }
        return new U8(out);
      }
      case 'ascii':
      case 'latin1': {
        const out = new U8(text.length);
        for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 255;
        return out;
      }
      case 'utf16le': {
        const out = new U8(text.length * 2);
        for (let i = 0; i < text.length; i++) {
          const code = text.charCodeAt(i);
          out[i * 2] = code & 255;
          out[i * 2 + 1] = code >> 8;
        }
        return out;
      }
      default:
        throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  }

  function decodeBytes(bytes: Uint8Array, encoding: string, start: number, end: number): string {
    switch (encoding) {
      case 'utf8':
        return utf8Decode(bytes, start, end);
      case 'hex': {
        let out = '';
        for (let i = start; i < end; i++) out += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
        return out;
      }
      case 'base64':
      case 'base64url': {
        let out = '';
        const table = encoding === 'base64' ? B64 : B64.slice(0, 62) + '-_';
        let i = start;
        for (; i + 2 < end; i += 3) {
          const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
          out += table[n >> 18]! + table[(n >> 12) & 63]! + table[(n >> 6) & 63]! + table[n & 63]!;
        }
        if (i < end) {
          const n = (bytes[i]! << 16) | ((i + 1 < end ? bytes[i + 1]! : 0) << 8);
          out += table[n >> 18]! + table[(n >> 12) & 63]!;
          out += i + 1 < end ? table[(n >> 6) & 63]! : encoding === 'base64' ? '=' : '';
          out += encoding === 'base64' ? '=' : '';
        }
        return out;
      }
      case 'ascii':
      case 'latin1': {
        let out = '';
        const mask = encoding === 'ascii' ? 127 : 255;
        for (let i = start; i < end; i += 8192) {
          const part: number[] = [];
          for (let j = i; j < Math.min(end, i + 8192); j++) part.push(bytes[j]! & mask);
          out += fromCharCode.apply(null, part);
        }
        return out;
      }
      case 'utf16le': {
        let out = '';
        for (let i = start; i + 1 < end; i += 2) out += fromCharCode(bytes[i]! | (bytes[i + 1]! << 8));
        return out;
      }
      default:
        throw new TypeError(`Unknown encoding: ${encoding}`);
    }
  }

  return { normalizeEncoding, encodeString, decodeBytes };
}
