import type { AnyNodeTypeDefinition } from '@loopedge/runtime';
import { notifyEmailNode } from '../alerting/notify-email/index.js';
import { notifyWebhookNode } from '../alerting/notify-webhook/index.js';
import { notifyMqttNode } from '../alerting/notify-mqtt/index.js';

/** Notifier config nodes the `alert` node hands its notifications to. */
export const notifierNodes: readonly AnyNodeTypeDefinition[] = [notifyEmailNode, notifyWebhookNode, notifyMqttNode];
