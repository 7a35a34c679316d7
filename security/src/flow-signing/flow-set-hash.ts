// The bytes a flow signature covers: the RFC 8785 canonical form of the whole flow
// set as deployed (layout fields included), UTF-8 encoded.
import { createHash } from 'node:crypto';
import { canonicalize, type FlowDocument } from '@loopedge/flows';

/** UTF-8 bytes of canonicalize(flows). Throws CanonicalizationError for values JSON cannot hold (NaN, cycles...). */
export function canonicalFlowBytes(flows: FlowDocument): Uint8Array {
  return new TextEncoder().encode(canonicalize(flows));
}

/** Hex SHA-256 of the canonical bytes: the `prev` of the next signed version. */
export function flowSetHash(flows: FlowDocument): string {
  return hashBytes(canonicalFlowBytes(flows));
}

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
