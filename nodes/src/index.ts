export { coreNodeTypes } from './registry/core-nodes.js';
export { loadMqttPacketQuietly } from './northbound/mqtt-shared/quiet-mqtt-packet.js';
