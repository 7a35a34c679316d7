import type { Permission } from '@loopedge/security';
import type { RuntimeEventMap } from '@loopedge/runtime';

export interface LiveEventDefinition {
  /** socket.io event name the editor listens to. */
  event: string;
  /** The runtime event it forwards. */
  source: keyof RuntimeEventMap;
  permission: Permission;
  description: string;
}

/**
 * The one table of live events: which runtime event goes out under which name
 * and to whom. A client only joins the rooms of the permissions it holds, so
 * an event is never even sent to a socket that may not see it.
 */
export const LIVE_EVENTS: readonly LiveEventDefinition[] = [
  { event: 'debug', source: 'debug', permission: 'debug:read', description: 'A debug node\'s output (may contain process data)' },
  { event: 'node-error', source: 'node-error', permission: 'debug:read', description: 'An error a node reported' },
  { event: 'node-status', source: 'node-status', permission: 'flows:read', description: 'A node\'s status (the dot and text under it)' },
  { event: 'deploy', source: 'deploy', permission: 'flows:read', description: 'Flows were deployed (or a deploy failed)' },
];

/** An event the server raises itself (not the engine), published with `LiveEvents.publish`. */
export interface ServerLiveEventDefinition {
  event: string;
  permission: Permission;
  description: string;
}

export const SERVER_LIVE_EVENTS: readonly ServerLiveEventDefinition[] = [
  { event: 'alert', permission: 'flows:read', description: 'An alert changed: raised, re-notified, acknowledged or cleared ({ transition, alert, by? }): the editor\'s toast and alerts panel' },
  { event: 'update-progress', permission: 'security:write', description: 'An update job changed: phase, bytes, then its result (applied, rolled back, refused)' },
];

export function roomOf(permission: Permission): string {
  return `permission:${permission}`;
}
