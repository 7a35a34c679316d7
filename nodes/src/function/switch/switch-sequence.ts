import { cloneMessage, type FlowMessage, type PortValue } from '@loopedge/runtime';

/**
 * Node-RED's switch sequence handling. With "recreate message sequences"
 * (`repair`) or a `tail` rule, members of a sequence (msg.parts with id and
 * index) are held until the whole sequence has arrived, so msg.parts.count is
 * known; with `repair`, each output's share is then re-numbered as a sequence
 * of its own (new parts.id, index 0..n-1, count n) before it is sent.
 */
export interface MessageParts {
  id: string;
  index: number;
  count?: number;
}

export function sequenceParts(msg: FlowMessage): MessageParts | null {
  const parts = msg.parts as Record<string, unknown> | null | undefined;
  if (!Object.prototype.hasOwnProperty.call(msg, 'parts') || parts === null || typeof parts !== 'object') return null;
  if (!Object.prototype.hasOwnProperty.call(parts, 'id') || !Object.prototype.hasOwnProperty.call(parts, 'index')) return null;
  return parts as unknown as MessageParts;
}

export class SequenceBufferOverflow extends Error {
  constructor() {
    super('too many pending messages in switch node');
    this.name = 'SequenceBufferOverflow';
  }
}

interface InGroup {
  count: number | undefined;
  msgs: FlowMessage[];
}

/** Sequences being collected before evaluation, and results being collected before re-sending. */
export class SwitchSequences {
  private pendingCount = 0;
  private incoming = new Map<string, InGroup>();
  private outgoing = new Map<string, { received: number; onwards: PortValue[][] }>();

  /**
   * @param maxKept Node-RED's `nodeMessageBufferMaxLength` (0 = unlimited).
   * @param portCount the node's outputs (rules.length).
   * @param newId makes the new parts.id of a re-numbered sequence.
   */
  constructor(
    private readonly maxKept: number,
    private readonly portCount: number,
    private readonly newId: () => string,
  ) {}

  /**
   * Hold a sequence member. Returns the whole sequence (each with parts.count
   * set) once its last member has arrived, otherwise null.
   */
  collect(msg: FlowMessage, parts: MessageParts): FlowMessage[] | null {
    let group = this.incoming.get(parts.id);
    if (!group) {
      group = { count: undefined, msgs: [] };
      this.incoming.set(parts.id, group);
    }
    group.msgs.push(msg);
    this.pendingCount++;
    this.checkOverflow();
    if (Object.prototype.hasOwnProperty.call(parts, 'count')) group.count = parts.count;
    if (group.count !== group.msgs.length) return null;
    this.incoming.delete(parts.id);
    this.pendingCount -= group.msgs.length;
    for (const member of group.msgs) (member.parts as MessageParts).count = group.count;
    return group.msgs;
  }

  /**
   * Record one member's outputs. When the sequence is complete, returns the
   * sends to make: per member, per output, a copy with re-numbered parts.
   */
  addResult(onward: PortValue[], parts: MessageParts): PortValue[][] | null {
    let group = this.outgoing.get(parts.id);
    if (!group) {
      group = { received: 0, onwards: [] };
      this.outgoing.set(parts.id, group);
    }
    group.received++;
    group.onwards.push(onward);
    this.pendingCount++;
    if (group.received === parts.count) {
      this.outgoing.delete(parts.id);
      this.pendingCount -= group.onwards.length;
      // Node-RED sizes this by the last member's result, which loses outputs
      // when "stop after first match" shortened it; every output is kept here.
      const sends = renumber(group.onwards, this.portCount, this.newId);
      this.checkOverflow();
      return sends;
    }
    this.checkOverflow();
    return null;
  }

  clear(): void {
    this.pendingCount = 0;
    this.incoming.clear();
    this.outgoing.clear();
  }

  private checkOverflow(): void {
    if (this.maxKept > 0 && this.pendingCount > this.maxKept) {
      this.clear();
      throw new SequenceBufferOverflow();
    }
  }
}

function renumber(onwards: PortValue[][], portCount: number, newId: () => string): PortValue[][] {
  const counts = new Array<number>(portCount).fill(0);
  for (const onward of onwards) {
    for (let port = 0; port < portCount; port++) if (onward[port] != null) counts[port]!++;
  }
  const ids = counts.map(() => newId());
  const indexes = new Array<number>(portCount).fill(0);
  return onwards.map((onward) => {
    const ports: PortValue[] = new Array<PortValue>(portCount).fill(null);
    for (let port = 0; port < portCount; port++) {
      const msg = onward[port];
      if (!msg || Array.isArray(msg)) continue;
      const copy = cloneMessage(msg);
      const parts = copy.parts as MessageParts;
      parts.id = ids[port]!;
      parts.index = indexes[port]!++;
      parts.count = counts[port];
      ports[port] = copy;
    }
    return ports;
  });
}
