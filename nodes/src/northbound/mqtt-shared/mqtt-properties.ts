/** MQTT quality of service. */
export type QoS = 0 | 1 | 2;

/** Node-RED stores QoS as "0"/"1"/"2" or a number; anything else is 0, as in Node-RED. */
export function parseQos(value: unknown): QoS {
  const qos = Number(value);
  return qos === 1 || qos === 2 ? qos : 0;
}

/** Node-RED stores some flags as booleans and older exports as "true"/"false". */
export function parseFlag(value: unknown): boolean {
  return value === true || value === 'true';
}
