/**
 * The value codec both sides of the sandbox boundary share: JSON text with a
 * few tagged objects for what JSON cannot hold, plus binary attachments that
 * carry exact bytes (never a view of someone else's memory).
 *
 * `createValueCodec` is deliberately self-contained (no imports, no closure
 * over module state): the JavaScript engine injects its source text into each
 * isolate, so the isolate encodes its own results with the same rules while
 * the runtime never touches a live sandbox object.
 *
 * Tagged values are objects whose first key is "\u0000" (NUL):
 *   {"\u0000":"b","i":0[,"t":"Uint16Array"]}  binary attachment i (Buffer when no t)
 *   {"\u0000":"d","v":1700000000000|null}     Date (null = invalid date)
 *   {"\u0000":"n","v":"NaN"|"Infinity"|"-Infinity"}
 *   {"\u0000":"u"}                            undefined (kept in objects and arrays)
 *   {"\u0000":"i","v":"123"}                  BigInt
 *   {"\u0000":"r","s":source,"f":flags}       RegExp
 *   {"\u0000":"e","n":name,"m":message,"s":stack?,"p":{...own props}}  Error
 *   {"\u0000":"m","v":[[k,v],...]}  Map       {"\u0000":"s","v":[...]}  Set
 *   {"\u0000":"o","v":{...}}                  a plain object that itself has a NUL key
 * Functions and symbols are dropped as JSON.stringify drops them.
 */

export interface ValueCodecLimits {
  /** Largest encoding, in UTF-16 code units of JSON text plus attachment bytes. */
  maxBytes: number;
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
}

export interface EncodedValue {
  json: string;
  binaries: Uint8Array[];
}

export interface ValueCodecOptions {
  limits: ValueCodecLimits;
  /** True for the Buffer class of this realm (Node's Buffer, or the isolate's). */
  isBuffer(value: unknown): boolean;
  /** Builds this realm's Buffer over an exact copy of the bytes. */
  makeBuffer(bytes: Uint8Array): unknown;
}

export interface ValueCodec {
  encode(value: unknown): EncodedValue;
  decode(json: string, binaries: readonly Uint8Array[]): unknown;
  /** The second half of decode, for text already parsed (a batch parsed at once). */
  revive(parsed: unknown, binaries: readonly Uint8Array[]): unknown;
}

/** Thrown for values that cannot cross: too large, too deep, cyclic, or malformed input. */
export interface ValueCodecError extends Error {
  code: 'too-large' | 'too-deep' | 'circular' | 'malformed';
}

export function createValueCodec(options: ValueCodecOptions): ValueCodec {
  const TAG = '\u0000';
  const limits = options.limits;
  const isBuffer = options.isBuffer;
  const makeBuffer = options.makeBuffer;
  // Captured now: code running later in the same realm (user code in an
  // isolate) may replace globals; the codec keeps working on the originals.
  const objectKeys = Object.keys;
  const isArray = Array.isArray;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const hasOwn = Object.prototype.hasOwnProperty;
  const objectToString = Object.prototype.toString;
  const isView = ArrayBuffer.isView;
  const NumberIsFinite = Number.isFinite;
  const DateGetTime = Date.prototype.getTime;
  const reflectApply = Reflect.apply;
  const getPrototypeOf = Object.getPrototypeOf;
  const ObjectPrototype = Object.prototype;
  const U8 = Uint8Array;
  const viewTypes: Record<string, { new (buffer: ArrayBuffer, offset: number, length: number): ArrayBufferView; BYTES_PER_ELEMENT: number }> = {
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  } as never;

  function fail(code: ValueCodecError['code'], message: string): never {
    const error = new Error(message) as ValueCodecError;
    error.name = 'ValueCodecError';
    error.code = code;
    throw error;
  }

  function pathText(path: Array<string | number>): string {
    let text = '';
    for (const part of path) text += typeof part === 'number' ? `[${part}]` : /^[A-Za-z_$][\w$]*$/.test(part) ? `.${part}` : `[${stringify(part)}]`;
    return text === '' ? '(the value itself)' : text.startsWith('.') ? text.slice(1) : text;
  }

  function tagOf(value: object): string {
    return reflectApply(objectToString, value, []) as string;
  }

  /**
   * The size (roughly, in JSON characters) of a value that JSON.stringify
   * encodes exactly as this codec would — plain objects and arrays of strings,
   * finite numbers, booleans and null — or -1 when it holds anything else.
   * Such values (most messages) take the native fast path. Throws once the
   * size passes `budget`, so a value sharing itself exponentially cannot keep
   * the walk busy.
   */
  function plainSize(value: unknown, depth: number, budget: number): number {
    switch (typeof value) {
      case 'string':
        return value.length + 2;
      case 'number':
        return NumberIsFinite(value) ? 8 : -1;
      case 'boolean':
        return 5;
      case 'object':
        break;
      default:
        return -1;
    }
    if (value === null) return 4;
    if (depth >= limits.maxDepth) return -1;
    let size = 2;
    if (isArray(value)) {
      const length = value.length;
      for (let i = 0; i < length; i++) {
        const itemSize = plainSize(value[i], depth + 1, budget - size);
        if (itemSize < 0) return -1;
        size += itemSize + 1;
        if (size > budget) fail('too-large', `The value is larger than ${limits.maxBytes} bytes`);
      }
      return size;
    }
    const prototype = getPrototypeOf(value);
    if (prototype !== ObjectPrototype && prototype !== null) return -1;
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return -1;
    for (const key of objectKeys(value)) {
      if (key === TAG) return -1;
      const itemSize = plainSize((value as Record<string, unknown>)[key], depth + 1, budget - size);
      if (itemSize < 0) return -1;
      size += itemSize + key.length + 4;
      if (size > budget) fail('too-large', `The value is larger than ${limits.maxBytes} bytes`);
    }
    return size;
  }

  function encode(value: unknown): EncodedValue {
    // Most messages are plain JSON data: answer before building the walker's
    // closures and arrays (the same text and checks as item()'s fast path below).
    if (value !== null && typeof value === 'object' && plainSize(value, 0, limits.maxBytes) >= 0) {
      const text = stringify(value) as string;
      if (text.length > limits.maxBytes) fail('too-large', `The value is larger than ${limits.maxBytes} bytes (at ${pathText([])})`);
      return { json: text, binaries: [] };
    }
    const binaries: Uint8Array[] = [];
    const ancestors: object[] = [];
    const path: Array<string | number> = [];
    let size = 0;

    function grow(amount: number): void {
      size += amount;
      if (size > limits.maxBytes) fail('too-large', `The value is larger than ${limits.maxBytes} bytes (at ${pathText(path)})`);
    }

    function binary(view: ArrayBufferView | ArrayBuffer, typeName: string | undefined): string {
      const source = view instanceof ArrayBuffer ? new U8(view) : new U8(view.buffer, view.byteOffset, view.byteLength);
      grow(source.byteLength + 24);
      // An exact copy: a view may sit on a larger (pooled or shared) buffer.
      const copy = new U8(source.byteLength);
      copy.set(source);
      binaries[binaries.length] = copy;
      const index = binaries.length - 1;
      return typeName === undefined ? `{"\\u0000":"b","i":${index}}` : `{"\\u0000":"b","i":${index},"t":"${typeName}"}`;
    }

    function item(input: unknown, inArray: boolean): string | undefined {
      switch (typeof input) {
        case 'string':
          grow(input.length + 2);
          return stringify(input);
        case 'number':
          grow(8);
          if (NumberIsFinite(input)) return '' + input;
          return `{"\\u0000":"n","v":"${input !== input ? 'NaN' : input > 0 ? 'Infinity' : '-Infinity'}"}`;
        case 'boolean':
          grow(5);
          return input ? 'true' : 'false';
        case 'undefined':
          grow(12);
          return '{"\\u0000":"u"}';
        case 'bigint':
          grow(24);
          return `{"\\u0000":"i","v":"${input.toString()}"}`;
        case 'function':
        case 'symbol':
          return inArray ? 'null' : undefined;
        default:
          break;
      }
      if (input === null) {
        grow(4);
        return 'null';
      }
      const object = input as object;
      if (isBuffer(object)) return binary(object as ArrayBufferView, undefined);
      if (isView(object)) {
        const name = tagOf(object).slice(8, -1);
        return binary(object as ArrayBufferView, name in viewTypes ? name : 'Uint8Array');
      }
      if (object instanceof ArrayBuffer) return binary(object, 'ArrayBuffer');
      if (plainSize(object, ancestors.length, limits.maxBytes - size) >= 0) {
        // Plain JSON data: the native encoder writes the same text, much faster.
        const text = stringify(object) as string;
        grow(text.length);
        return text;
      }
      if (ancestors.indexOf(object) !== -1) fail('circular', `The value refers to itself (circular reference at ${pathText(path)})`);
      if (ancestors.length >= limits.maxDepth) fail('too-deep', `The value is nested deeper than ${limits.maxDepth} levels (at ${pathText(path)})`);
      ancestors[ancestors.length] = object;
      try {
        return container(object);
      } finally {
        ancestors.length--;
      }
    }

    function container(object: object): string {
      if (isArray(object)) {
        const length = object.length;
        grow(2 + length);
        let out = '[';
        for (let i = 0; i < length; i++) {
          path[path.length] = i;
          out += (i === 0 ? '' : ',') + item(object[i], true);
          path.length--;
        }
        return out + ']';
      }
      const kind = tagOf(object);
      if (kind === '[object Date]') {
        grow(24);
        const time = reflectApply(DateGetTime, object, []) as number;
        return `{"\\u0000":"d","v":${NumberIsFinite(time) ? time : 'null'}}`;
      }
      if (kind === '[object RegExp]') {
        const re = object as RegExp;
        return `{"\\u0000":"r","s":${item(String(re.source), false)},"f":${item(String(re.flags), false)}}`;
      }
      if (kind === '[object Map]') {
        const entries: unknown[] = [];
        (object as Map<unknown, unknown>).forEach((v, k) => {
          entries[entries.length] = [k, v];
        });
        path[path.length] = '<map>';
        try {
          return `{"\\u0000":"m","v":${item(entries, false)}}`;
        } finally {
          path.length--;
        }
      }
      if (kind === '[object Set]') {
        const values: unknown[] = [];
        (object as Set<unknown>).forEach((v) => {
          values[values.length] = v;
        });
        path[path.length] = '<set>';
        try {
          return `{"\\u0000":"s","v":${item(values, false)}}`;
        } finally {
          path.length--;
        }
      }
      if (kind === '[object Error]') {
        const error = object as Error & Record<string, unknown>;
        let out = `{"\\u0000":"e","n":${item(String(error.name), false)},"m":${item(String(error.message), false)}`;
        if (typeof error.stack === 'string') out += `,"s":${item(error.stack, false)}`;
        const own: Record<string, unknown> = {};
        let extra = false;
        for (const key of objectKeys(error)) {
          if (key === 'stack' || key === 'message') continue;
          own[key] = error[key];
          extra = true;
        }
        if ('cause' in error && !hasOwn.call(own, 'cause') && error.cause !== undefined) {
          own.cause = error.cause;
          extra = true;
        }
        if (extra) out += `,"p":${properties(own)}`;
        return out + '}';
      }
      if (hasOwn.call(object, TAG)) return `{"\\u0000":"o","v":${properties(object as Record<string, unknown>)}}`;
      return properties(object as Record<string, unknown>);
    }

    function properties(object: Record<string, unknown>): string {
      const keys = objectKeys(object);
      grow(2);
      let out = '{';
      let first = true;
      for (const key of keys) {
        path[path.length] = key;
        const encoded = item(object[key], false);
        path.length--;
        if (encoded === undefined) continue;
        grow(key.length + 3);
        out += (first ? '' : ',') + stringify(key) + ':' + encoded;
        first = false;
      }
      return out + '}';
    }

    const json = item(value, false) ?? '{"\\u0000":"u"}';
    return { json, binaries };
  }

  function decode(json: string, binaries: readonly Uint8Array[]): unknown {
    if (typeof json !== 'string') fail('malformed', 'Encoded value is not text');
    if (json.length > limits.maxBytes) fail('too-large', `The encoded value is larger than ${limits.maxBytes} bytes`);
    let parsed: unknown;
    try {
      parsed = parse(json);
    } catch (error) {
      fail('malformed', `Encoded value is not valid JSON: ${(error as Error).message}`);
    }
    // JSON.stringify writes a NUL as the six characters \u0000: without them
    // there is no tagged value and the parse result is the value itself.
    if (json.indexOf('\\u0000') === -1) return parsed;
    return revive(parsed, binaries);
  }

  /** Turn the tagged objects of an already parsed value into what they stand for (in place). */
  function revive(parsed: unknown, binaries: readonly Uint8Array[]): unknown {
    return walk(parsed, 0);

    function walk(input: unknown, depth: number): unknown {
      if (input === null || typeof input !== 'object') return input;
      if (depth > limits.maxDepth) fail('too-deep', `The encoded value is nested deeper than ${limits.maxDepth} levels`);
      if (isArray(input)) {
        for (let i = 0; i < input.length; i++) input[i] = walk(input[i], depth + 1);
        return input;
      }
      const record = input as Record<string, unknown>;
      if (hasOwn.call(record, TAG)) return tagged(record, depth);
      for (const key of objectKeys(record)) {
        const value = record[key];
        if (value !== null && typeof value === 'object') record[key] = walk(value, depth + 1);
      }
      return record;
    }

    function tagged(record: Record<string, unknown>, depth: number): unknown {
      const v = record.v;
      switch (record[TAG]) {
        case 'u':
          return undefined;
        case 'n':
          return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : fail('malformed', `Unknown number ${String(v)}`);
        case 'd':
          return new Date(typeof v === 'number' ? v : NaN);
        case 'i':
          if (typeof v !== 'string' || !/^-?\d{1,4000}$/.test(v)) fail('malformed', 'Malformed BigInt');
          return BigInt(v as string);
        case 'r':
          try {
            return new RegExp(String(record.s), String(record.f));
          } catch {
            return fail('malformed', 'Malformed RegExp');
          }
        case 'b': {
          const index = record.i;
          const bytes = typeof index === 'number' ? binaries[index] : undefined;
          if (!bytes || !(bytes instanceof U8)) fail('malformed', `Missing binary attachment ${String(index)}`);
          const copy = new U8((bytes as Uint8Array).byteLength);
          copy.set(bytes as Uint8Array);
          const typeName = record.t;
          if (typeName === undefined) return makeBuffer(copy);
          if (typeName === 'ArrayBuffer') return copy.buffer;
          const View = typeof typeName === 'string' && hasOwn.call(viewTypes, typeName) ? viewTypes[typeName] : undefined;
          if (!View) fail('malformed', `Unknown binary type ${String(typeName)}`);
          if (copy.byteLength % View!.BYTES_PER_ELEMENT !== 0) fail('malformed', `Binary of ${String(typeName)} has a partial element`);
          return new View!(copy.buffer, 0, copy.byteLength / View!.BYTES_PER_ELEMENT);
        }
        case 'e': {
          const error = new Error(typeof record.m === 'string' ? record.m : '');
          if (typeof record.n === 'string' && record.n !== 'Error') {
            Object.defineProperty(error, 'name', { value: record.n, writable: true, configurable: true, enumerable: false });
          }
          if (typeof record.s === 'string') error.stack = record.s;
          else delete (error as { stack?: string }).stack;
          const props = walk(record.p, depth + 1);
          if (props && typeof props === 'object') {
            for (const key of objectKeys(props)) {
              if (key === '__proto__') continue;
              (error as unknown as Record<string, unknown>)[key] = (props as Record<string, unknown>)[key];
            }
          }
          return error;
        }
        case 'm': {
          const entries = walk(v, depth + 1);
          const map = new Map<unknown, unknown>();
          if (isArray(entries)) for (const entry of entries) if (isArray(entry)) map.set(entry[0], entry[1]);
          return map;
        }
        case 's': {
          const values = walk(v, depth + 1);
          return new Set(isArray(values) ? values : []);
        }
        case 'o': {
          if (!v || typeof v !== 'object' || isArray(v)) fail('malformed', 'Malformed escaped object');
          const inner = v as Record<string, unknown>;
          for (const key of objectKeys(inner)) {
            const value = inner[key];
            if (value !== null && typeof value === 'object') inner[key] = walk(value, depth + 1);
          }
          return inner;
        }
        default:
          return fail('malformed', `Unknown tag ${stringify(String(record[TAG]))}`);
      }
    }
  }

  return { encode, decode, revive };
}
