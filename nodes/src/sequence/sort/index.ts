import { Type } from '@sinclair/typebox';
import { defineNode, NodeName, readmeBeside, type DoneFunction, type FlowMessage, type SendFunction } from '@loopedge/runtime';
import { compileMessagePath, getPath, setPath } from '../../shared/property-expression.js';
import { prepareJsonata, type PreparedJsonata } from '../../shared/jsonata-expression.js';

interface HeldMessage {
  msg: FlowMessage;
  send: SendFunction;
  done: DoneFunction;
}

interface PendingSequence {
  count: number | undefined;
  held: HeldMessage[];
  /** Arrival order of sequences, to drop the oldest when too many are held. */
  seq: number;
}

type Parts = { id?: unknown; index?: number; count?: number };

/** A failure Node-RED reports as plain text: catch nodes see no "Error:" prefix and no stack. */
class PlainTextFailure extends Error {}

const reported = (error: unknown): unknown => (error instanceof PlainTextFailure ? error.message : error);

/**
 * Node-RED's `sort` node: sorts an array in a message property, or a whole
 * message sequence (msg.parts), by the element/message itself, a property, or
 * a JSONata expression.
 */
export const sortNode = defineNode({
  type: 'sort',
  category: 'sequence',
  config: Type.Object({
    name: NodeName,
    order: Type.Union([Type.Literal('ascending'), Type.Literal('descending')], { default: 'ascending' }),
    as_num: Type.Boolean({ default: false, description: 'Compare keys as numbers' }),
    target: Type.String({ default: 'payload', description: 'Message property holding the array (when targetType is msg)' }),
    targetType: Type.Union([Type.Literal('msg'), Type.Literal('seq')], { default: 'msg', description: 'Sort an array property (msg) or a message sequence (seq)' }),
    msgKey: Type.String({ default: 'payload', description: 'Array sort key: a JSONata expression on each element (msgKeyType jsonata)' }),
    msgKeyType: Type.Union([Type.Literal('elem'), Type.Literal('jsonata')], { default: 'elem', description: 'elem sorts by the element value itself' }),
    seqKey: Type.String({ default: 'payload', description: 'Sequence sort key: a message property or a JSONata expression' }),
    seqKeyType: Type.Union([Type.Literal('msg'), Type.Literal('jsonata')], { default: 'msg' }),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'sort', icon: 'sort.svg', color: '#E2D96E', widgets: { target: 'typed-input:targetType', msgKey: 'typed-input:msgKeyType', seqKey: 'typed-input:seqKeyType' } },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const sortsProperty = config.targetType === 'msg';
    const keyIsExpression = sortsProperty ? config.msgKeyType === 'jsonata' : config.seqKeyType === 'jsonata';
    // Only the paths this configuration uses are compiled: the others may hold JSONata.
    const targetPath = compileMessagePath(sortsProperty ? config.target || 'payload' : 'payload');
    const keyPath = compileMessagePath(!sortsProperty && !keyIsExpression ? config.seqKey || 'payload' : 'payload');
    let keyExpression: PreparedJsonata | undefined;
    if (keyIsExpression) {
      const source = sortsProperty ? config.msgKey : config.seqKey;
      try {
        keyExpression = prepareJsonata(node, source);
      } catch (error) {
        throw new Error(`Invalid JSONata expression in sort node ${node.id} (field ${sortsProperty ? 'msgKey' : 'seqKey'}): ${(error as Error).message}`);
      }
    }
    const direction = (config.order || 'ascending') === 'ascending' ? 1 : -1;
    const asNumber = config.as_num === true;
    const maxKept = Number(node.settings.nodeMessageBufferMaxLength ?? 0) || 0;
    const pending = new Map<unknown, PendingSequence>();
    let pendingCount = 0;
    let nextSeq = 0;

    /** Node-RED's comparison: `>` on the (optionally Number()-converted) keys. */
    function compareKeys(a: unknown, b: unknown): number {
      const x = asNumber ? Number(a) : a;
      const y = asNumber ? Number(b) : b;
      if (x === y) return 0;
      return (x as number) > (y as number) ? direction : -direction;
    }

    async function sortByExpression<T>(items: T[], input: (item: T) => unknown): Promise<T[]> {
      const keyed = await Promise.all(
        items.map(async (item) => {
          try {
            return { item, key: await keyExpression!.evaluate(input(item)) };
          } catch (error) {
            throw new PlainTextFailure(`Invalid JSONata expression in sort node: ${(error as Error).message}`);
          }
        }),
      );
      return keyed.sort((a, b) => compareKeys(a.key, b.key)).map((entry) => entry.item);
    }

    /** Sort the array in the target property; false when there is no array (the message is dropped). */
    async function sortProperty(msg: FlowMessage): Promise<boolean> {
      const data = getPath(msg, targetPath);
      if (!Array.isArray(data)) return false;
      if (keyExpression) setPath(msg, targetPath, await sortByExpression(data, (element) => element));
      else data.sort(compareKeys);
      return true;
    }

    async function sendSequence(sequence: PendingSequence): Promise<void> {
      const sorted = keyExpression
        ? await sortByExpression(sequence.held, (held) => held.msg)
        : [...sequence.held].sort((a, b) => compareKeys(getPath(a.msg, keyPath), getPath(b.msg, keyPath)));
      sorted.forEach((held, index) => {
        (held.msg.parts as Parts).index = index;
        held.send(held.msg);
        held.done();
      });
    }

    function dropOldest(): number {
      let oldestId: unknown;
      let oldest: PendingSequence | undefined;
      for (const [id, sequence] of pending) {
        if (!oldest || oldest.seq > sequence.seq) {
          oldest = sequence;
          oldestId = id;
        }
      }
      if (!oldest) return 0;
      const held = oldest.held;
      held[held.length - 1]!.done('Too many pending messages in sort node'); // plain text, as Node-RED reports it
      for (const message of held.slice(0, -1)) message.done();
      pending.delete(oldestId);
      return held.length;
    }

    function holdPart(message: HeldMessage): void {
      const parts = message.msg.parts as Parts | undefined;
      if (!parts || typeof parts !== 'object' || !Object.hasOwn(parts, 'id') || !Object.hasOwn(parts, 'index')) {
        message.done(); // not part of a sequence: dropped, as in Node-RED
        return;
      }
      let sequence = pending.get(parts.id);
      if (!sequence) {
        sequence = { count: undefined, held: [], seq: nextSeq++ };
        pending.set(parts.id, sequence);
      }
      sequence.held.push(message);
      if (Object.hasOwn(parts, 'count')) sequence.count = parts.count;
      pendingCount++;
      if (sequence.count === sequence.held.length) {
        pending.delete(parts.id);
        pendingCount -= sequence.held.length;
        const held = sequence.held;
        sendSequence(sequence).catch((error: unknown) => {
          held[held.length - 1]!.done(reported(error));
          for (const message of held.slice(0, -1)) message.done();
        });
      } else if (maxKept > 0 && pendingCount > maxKept) {
        pendingCount -= dropOldest();
      }
    }

    return {
      input(msg, send, done) {
        if (!sortsProperty) {
          holdPart({ msg, send, done });
          return;
        }
        sortProperty(msg).then(
          (sorted) => {
            if (sorted) send(msg);
            done();
          },
          (error: unknown) => done(reported(error)),
        );
      },
      close() {
        for (const sequence of pending.values()) {
          node.log('clear pending message in sort node');
          for (const held of sequence.held) held.done();
        }
        pending.clear();
        pendingCount = 0;
      },
    };
  },
});
