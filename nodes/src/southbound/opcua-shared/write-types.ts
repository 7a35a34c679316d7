/**
 * The built-in data types opcua-write converts payloads to, with their ids from
 * the OPC UA specification (Part 6). Kept apart from node-opcua so that loading
 * the node definitions does not load the OPC UA stack (about a second).
 */
export const WRITABLE_TYPE_IDS = {
  Boolean: 1, SByte: 2, Byte: 3, Int16: 4, UInt16: 5, Int32: 6, UInt32: 7, Int64: 8, UInt64: 9,
  Float: 10, Double: 11, String: 12, DateTime: 13, ByteString: 15,
} as const;

export type WritableType = keyof typeof WRITABLE_TYPE_IDS;

export const WRITABLE_TYPES = Object.keys(WRITABLE_TYPE_IDS) as WritableType[];

export function isWritableType(name: string): name is WritableType {
  return Object.hasOwn(WRITABLE_TYPE_IDS, name);
}

/** The writable type with this built-in type id, if any. */
export function writableTypeOf(typeId: number): WritableType | undefined {
  return WRITABLE_TYPES.find((name) => WRITABLE_TYPE_IDS[name] === typeId);
}
