import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { defineNode, readmeBeside, NodeName, NumberLike, cloneMessage, type FlowMessage, type SendFunction, type DoneFunction } from '@loopedge/runtime';

interface PendingCall {
  msg: FlowMessage;
  send: SendFunction;
  done: DoneFunction;
  timer: NodeJS.Timeout;
}

/**
 * Link call: calls a flow that starts at a link in node and waits for a link out
 * (return mode) to hand the message back, like a subroutine call.
 */
export const linkCallNode = defineNode({
  type: 'link call',
  category: 'common',
  config: Type.Object({
    name: NodeName,
    links: Type.Union([Type.Array(Type.String()), Type.String()], { default: [] }),
    linkType: Type.Union([Type.Literal('static'), Type.Literal('dynamic')], { default: 'static' }),
    timeout: NumberLike('30', 'Seconds to wait for the called flow to return'),
  }),
  inputs: 1,
  outputs: 1,
  editor: { label: 'link call', icon: 'link-call.svg', color: '#dddddd' },
  helpFile: readmeBeside(import.meta.url),
  create(node, config) {
    const staticTarget = typeof config.links === 'string' ? config.links : config.links[0];
    const parsed = parseFloat(String(config.timeout || '30')) * 1000;
    const timeoutMs = Number.isNaN(parsed) ? 30_000 : parsed;
    const pending = new Map<string, PendingCall>();

    const findTarget = (msg: FlowMessage): string => {
      const dynamic = config.linkType === 'dynamic';
      const target = dynamic ? msg.target : staticTarget;
      if (typeof target !== 'string' || target === '') throw new Error("target link-in node '' not found");
      const found = node.links.findLinkIn(target);
      const byId = found.filter((id) => id === target || id.endsWith(`-${target}`));
      if (byId.length > 0) return byId[0]!;
      if (dynamic && found.length > 1) throw new Error(`Multiple link-in nodes named '${target}' found`);
      if (dynamic && found.length === 1) return found[0]!;
      throw new Error(`target link-in node '${target}' not found`);
    };

    return {
      input(msg, send, done) {
        const target = findTarget(msg);
        const callId = randomBytes(14).toString('hex');
        const stack = Array.isArray(msg._linkSource) ? (msg._linkSource as unknown[]) : [];
        // As Node-RED: the copy kept for a timeout error is taken after _linkSource exists, before this call is pushed.
        msg._linkSource = stack;
        const copy = cloneMessage(msg);
        const timer = setTimeout(() => {
          pending.delete(callId);
          node.error('timeout', copy);
          done();
        }, timeoutMs);
        pending.set(callId, { msg: copy, send, done, timer });
        stack.push({ id: callId, node: node.id });
        node.links.deliverTo(target, msg);
      },
      close() {
        for (const call of pending.values()) clearTimeout(call.timer);
        pending.clear();
      },
      api: {
        /** Called (via the engine) by a link out in return mode with the message that finished call `callId`. */
        returnMessage(callId: string, msg: FlowMessage): void {
          if (Array.isArray(msg._linkSource) && msg._linkSource.length === 0) delete msg._linkSource;
          const call = pending.get(callId);
          if (!call) {
            node.send(msg);
            return;
          }
          pending.delete(callId);
          clearTimeout(call.timer);
          call.send(msg);
          call.done();
        },
      },
    };
  },
});
