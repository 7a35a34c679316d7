import type { NodeHandlers } from '@loopedge/runtime';

/**
 * Handlers of nodes that only forward what reaches them (catch, status,
 * complete, link in, junction): the engine decides what they receive.
 */
export function passThrough(): NodeHandlers {
  return {
    input(msg, send) {
      send(msg);
    },
  };
}
