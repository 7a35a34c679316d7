import { Type } from '@sinclair/typebox';
import { defineNode, NumberLike, type AnyNodeTypeDefinition } from '../node-api/index.js';

/**
 * Tiny node types for the engine's own tests. The real node types live in
 * @loopedge/nodes, which depends on the runtime, not the other way round.
 */
export const passNode = defineNode({
  type: 'test-pass',
  category: 'function',
  config: Type.Object({ tag: Type.String({ default: '' }) }),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create(node, config) {
    return {
      input(msg, send) {
        if (config.tag) msg.path = `${typeof msg.path === 'string' ? msg.path : ''}${config.tag}`;
        send(msg);
      },
    };
  },
});

/** Counts messages in node context, so tests can see whether state survived a deploy. */
export const counterNode = defineNode({
  type: 'test-counter',
  category: 'function',
  config: Type.Object({ step: NumberLike(1) }),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create(node, config) {
    let count = 0;
    return {
      input(msg, send) {
        count += Number(config.step);
        msg.payload = count;
        send(msg);
      },
    };
  },
});

export const throwNode = defineNode({
  type: 'test-throw',
  category: 'function',
  config: Type.Object({ how: Type.String({ default: 'throw' }) }),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create(node, config) {
    return {
      async input(msg) {
        if (config.how === 'reject') throw new Error('rejected on purpose');
        if (config.how === 'node-error') {
          node.error('reported on purpose', msg);
          return;
        }
        throw new Error('thrown on purpose');
      },
    };
  },
});

export const failStartNode = defineNode({
  type: 'test-fail-start',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create() {
    throw new Error('cannot start on purpose');
  },
});

/** Splits to two outputs: msg on both, to check cloning across ports. */
export const forkNode = defineNode({
  type: 'test-fork',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 2,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create() {
    return {
      input(msg, send) {
        send([msg, msg]);
      },
    };
  },
});

/** Writes msg.payload into context (flow and persistent store when named). */
export const contextWriterNode = defineNode({
  type: 'test-context',
  category: 'function',
  config: Type.Object({ key: Type.String({ default: 'value' }), store: Type.String({ default: '' }) }),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create(node, config) {
    const store = config.store || undefined;
    return {
      input(msg, send) {
        if (msg.topic === 'read') msg.payload = node.context().flow.get(config.key, store);
        else node.context().flow.set(config.key, msg.payload, store);
        msg.env = node.env.get('SETTING');
        send(msg);
      },
    };
  },
});

export const statusSetterNode = defineNode({
  type: 'test-status',
  category: 'function',
  config: Type.Object({}),
  inputs: 1,
  outputs: 0,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create(node) {
    return {
      input(msg) {
        node.status({ fill: 'green', shape: 'dot', text: String(msg.payload) });
      },
    };
  },
});

/** Reports which credential fields it was given (never their values, as a real node must not). */
export const credentialsReaderNode = defineNode({
  type: 'test-credentials',
  category: 'function',
  config: Type.Object({}),
  credentials: Type.Object({ password: Type.String() }),
  inputs: 1,
  outputs: 1,
  editor: { icon: 'arrow.svg', color: '#ddd' },
  create(node) {
    return {
      input(msg, send) {
        msg.payload = { fields: Object.keys(node.credentials), matches: node.credentials.password === msg.expected };
        send(msg);
      },
    };
  },
});

export const fixtureNodes: AnyNodeTypeDefinition[] = [credentialsReaderNode, passNode, counterNode, throwNode, failStartNode, forkNode, contextWriterNode, statusSetterNode];
