import type { IPublishPacket } from 'mqtt';
import type { FlowMessage, NodeApi } from '@loopedge/runtime';
import { decodePayload } from './payload-format.js';

/**
 * Build the message `mqtt in` (and `datahub in`) sends for a received publish,
 * with Node-RED's properties; a payload the datatype refuses becomes a node
 * error (to catch nodes) carrying the raw payload, and the flow keeps going.
 */
export function deliverReceived(node: NodeApi, datatype: string, topic: string, payload: Buffer, packet: IPublishPacket, v5: boolean): void {
  const msg: FlowMessage = { _msgid: node.newMessageId(), topic, payload: null, qos: packet.qos, retain: packet.retain };
  const props = v5 ? packet.properties : undefined;
  if (props) {
    if (props.responseTopic !== undefined) msg.responseTopic = props.responseTopic;
    if (props.correlationData !== undefined) msg.correlationData = props.correlationData;
    if (props.contentType !== undefined) msg.contentType = props.contentType;
    if (props.messageExpiryInterval !== undefined) msg.messageExpiryInterval = props.messageExpiryInterval;
    if (props.payloadFormatIndicator !== undefined) msg.payloadFormatIndicator = props.payloadFormatIndicator;
    if (props.userProperties !== undefined) msg.userProperties = { ...props.userProperties }; // mqtt-packet gives a null-prototype object
  }
  const decoded = decodePayload(datatype, payload, props?.contentType, props?.payloadFormatIndicator);
  if (!decoded.ok) {
    msg.payload = payload;
    node.error(new Error(`${node.type} ${node.id}: message on "${topic}": ${decoded.error}`), msg);
    return;
  }
  msg.payload = decoded.payload;
  node.send(msg);
}
